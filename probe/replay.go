package probe

import (
	"context"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/wait"
	"github.com/refreshstorm/refreshstorm/oracle"
)

// parentReplayExperiment replays the parent T1 after T1→T2 at growing
// delays, starting from the last delay the retry experiment saw accepted.
func (d *prober) parentReplayExperiment(ctx context.Context) error {
	from := time.Duration(d.fp.Grace.LowerMS) * time.Millisecond
	var delays []time.Duration
	for _, dl := range delaySchedule(d.opt.MaxDelay) {
		if dl >= from {
			delays = append(delays, dl)
		}
	}
	return d.replaySeries(ctx, "parent", delays, &d.fp.Experiments.ParentReplay)
}

// grandparentReplayExperiment replays the grandparent T0 after T0→T1→T2
// at once, then at growing delays from the last accepted retry delay.
func (d *prober) grandparentReplayExperiment(ctx context.Context) error {
	from := time.Duration(d.fp.Grace.LowerMS) * time.Millisecond
	delays := []time.Duration{0}
	for _, dl := range delaySchedule(d.opt.MaxDelay) {
		if dl >= from && dl > 0 {
			delays = append(delays, dl)
		}
	}
	return d.replaySeries(ctx, "grandparent", delays, &d.fp.Experiments.GrandparentReplay)
}

func (d *prober) replaySeries(ctx context.Context, presented string, delays []time.Duration, out *[]ReplayTrial) error {
	exp := expParent
	if presented == "grandparent" {
		exp = expGrandparent
	}
	for _, delay := range delays {
		d.progress("  %s replay after %v", presented, delay)
		tr, err := d.replayTrial(ctx, presented, delay)
		if err != nil {
			return err
		}
		*out = append(*out, tr)
		if tr.Accepted {
			switch {
			case presented == "grandparent":
				d.violation("fail_replay_accepted", exp,
					"the grandparent token was accepted %v after its child was rotated: the window admits any ancestor, not only the immediate parent", delay)
			case d.retryRejectedAt >= 0 && delay > d.retryRejectedAt:
				d.violation("fail_replay_accepted", exp,
					"the parent token was accepted %v after rotation, past the window (a retry after %v was rejected)", delay, d.retryRejectedAt)
			}
			continue
		}
		if !isRejection(tr.Status) {
			break // undecided: nothing more to learn from longer delays
		}
		break
	}
	return nil
}

// isRejection reports whether a status is a definite rejection.
func isRejection(status int) bool { return answer{status: status}.rejected() }

// replayTrial: T0→T1→T2, pause delay, present T1 (parent) or T0
// (grandparent). A rejection is followed by checks of the newest token and
// access cookie, at once and, if the family was revoked, again after the
// estimated window plus the zombie margin.
func (d *prober) replayTrial(ctx context.Context, presented string, delay time.Duration) (ReplayTrial, error) {
	tr := ReplayTrial{Presented: presented, DelayMS: millis(delay), Got: GotNone}
	f, err := d.signIn(ctx)
	if err != nil {
		return tr, err
	}
	defer d.signOut(ctx, f)
	heads, err := d.chain(ctx, f, 2)
	if err != nil {
		return tr, err
	}
	t0, t1, t2, a2 := heads[0], heads[1], heads[2], f.access
	token, child := t1, t2
	if presented == "grandparent" {
		token, child = t0, t1
	}
	if !wait.For(ctx, delay) {
		return tr, ctx.Err()
	}
	r, err := d.refresh(ctx, token, f.csrf)
	if err != nil {
		return tr, err
	}
	tr.Status, tr.Error, tr.Accepted = r.status, r.code, r.accepted()
	switch {
	case tr.Accepted && r.refresh == child:
		tr.Got = GotChild
	case tr.Accepted && r.refresh == t2:
		tr.Got = GotHead
	case tr.Accepted:
		tr.Got = GotNewChild
	}
	way, a := WayParent, oracle.Attempt{Presented: oracle.PresentedParent, Who: oracle.Attacker, Age: delay, Token: token, KnownChild: child, KnownHead: t2}
	if presented == "grandparent" {
		way, a.Presented, a.KnownChild = WayGrandparent, oracle.PresentedAncestor, ""
	}
	j := d.judgeReuse(a, r)
	if !r.rejected() {
		d.recordReuse(way, delay, j, nil)
		return tr, nil
	}
	rv, err := d.follow(ctx, f, way, d.fp.Grace.upper(), t2, a2)
	if err != nil {
		return tr, err
	}
	d.recordReuse(way, delay, j, &rv)
	tr.NewestAccessStatus, tr.NewestRefreshStatus = rv.Now.Access.Status, rv.Now.Refresh.Status
	if rv.Now.Undecided == nil {
		tr.FamilyRevoked = boolPtr(!rv.Now.RefreshAlive)
	}
	if l := rv.Later; l != nil {
		tr.LaterWaitMS = millis(d.fp.Grace.upper() + d.opt.ZombieMargin)
		tr.LaterAccessStatus, tr.LaterRefreshStatus = l.Access.Status, l.Refresh.Status
		if l.Undecided == nil {
			tr.Zombie = boolPtr(l.Alive())
		}
	}
	return tr, nil
}
