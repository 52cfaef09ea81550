package probe

import (
	"context"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/wait"
	"github.com/refreshstorm/refreshstorm/oracle"
)

// Experiment names, as findings cite them.
const (
	expLostResponse = "lost_response_retry"
	expConcurrent   = "concurrent_duplicates"
	expParent       = "parent_replay"
	expGrandparent  = "grandparent_replay"
	expCSRF         = "csrf"
)

// retryExperiment is the lost-response retry at growing delays: refresh
// T0→T1, read T1, present T0 again after d. The series stops at the first
// rejection; the window lies between the last accepted and the first
// rejected delay.
func (d *prober) retryExperiment(ctx context.Context) error {
	d.retryRejectedAt = -1
	var (
		lastAccepted = time.Duration(-1)
		kinds        []string // Got of each accepted trial, in delay order
		undecidedAt  = time.Duration(-1)
	)
	for _, delay := range delaySchedule(d.opt.MaxDelay) {
		d.progress("  retry after %v", delay)
		tr, err := d.retryTrial(ctx, delay)
		if err != nil {
			return err
		}
		d.fp.Experiments.LostResponse = append(d.fp.Experiments.LostResponse, tr)
		switch {
		case tr.Accepted:
			if n := len(kinds); n > 0 && kinds[n-1] == GotChild && tr.Got == GotNewChild {
				d.violation("fail_replay_accepted", expLostResponse,
					"a retry after %v got a new child where shorter delays got the same child: the window had closed, yet the rotated token was accepted and rotated again", delay)
			}
			lastAccepted = delay
			kinds = append(kinds, tr.Got)
			continue
		case isRejection(tr.Status):
			d.retryRejectedAt = delay
			if delay == 0 && tr.ChildWorks != nil && !*tr.ChildWorks {
				d.weakness("lost_response_logout", expLostResponse,
					"an immediate retry after a lost response was rejected and the family revoked: the user is logged out")
			}
		default:
			undecidedAt = delay
		}
		break
	}
	g := &d.fp.Grace
	switch {
	case d.retryRejectedAt == 0:
		*g = Grace{Kind: GraceStrict, Text: "0 (strict)"}
	case d.retryRejectedAt > 0 && lastAccepted >= 0:
		up := millis(d.retryRejectedAt)
		*g = Grace{Kind: GraceWindow, LowerMS: millis(lastAccepted), UpperMS: &up,
			Text: "[" + lastAccepted.String() + ", " + d.retryRejectedAt.String() + "]"}
	case lastAccepted >= 0 && undecidedAt < 0:
		*g = Grace{Kind: GraceAtLeast, LowerMS: millis(lastAccepted), Text: "≥ " + lastAccepted.String()}
	case lastAccepted >= 0:
		*g = Grace{Kind: GraceAtLeast, LowerMS: millis(lastAccepted),
			Text: "≥ " + lastAccepted.String() + " (undecided at " + undecidedAt.String() + ")"}
	default:
		*g = Grace{Kind: Unknown, Text: "unknown (the retry at 0s was undecided)"}
	}
	switch {
	case g.Kind == GraceStrict:
		d.dupModel = ""
	case len(kinds) == 0:
		d.dupModel = Unknown
	case kinds[0] == GotNewChild:
		d.dupModel = GotNewChild
	default:
		d.dupModel = GotChild
	}
	return nil
}

func (d *prober) retryTrial(ctx context.Context, delay time.Duration) (RetryTrial, error) {
	tr := RetryTrial{DelayMS: millis(delay), Got: GotNone}
	f, err := d.signIn(ctx)
	if err != nil {
		return tr, err
	}
	defer d.signOut(ctx, f)
	heads, err := d.chain(ctx, f, 1)
	if err != nil {
		return tr, err
	}
	t0, t1 := heads[0], heads[1]
	if !wait.For(ctx, delay) {
		return tr, ctx.Err()
	}
	r, err := d.refresh(ctx, t0, f.csrf)
	if err != nil {
		return tr, err
	}
	tr.Status, tr.Error, tr.Accepted = r.status, r.code, r.accepted()
	if tr.Accepted {
		tr.Got = GotNewChild
		if r.refresh == t1 {
			tr.Got = GotChild
		}
	}
	a := oracle.Attempt{Presented: oracle.PresentedParent, Who: oracle.Retry, Age: delay, Token: t0, KnownChild: t1, KnownHead: t1}
	if r.rejected() {
		// The retry's rejection puts the window before delay: the zombie
		// look waits that long plus the margin.
		rv, err := d.follow(ctx, f, WayLostResponse, delay, t1, f.access)
		if err != nil {
			return tr, err
		}
		if rv.Now.Undecided == nil {
			tr.ChildWorks = boolPtr(rv.Now.RefreshAlive)
		}
		// Judged once the window is measured (the end of the series).
		d.pending = append(d.pending, func() { d.recordReuse(WayLostResponse, delay, d.judgeReuse(a, r), &rv) })
		return tr, nil
	}
	// Does the child the client lost still work, and the duplicate's?
	c, err := d.refresh(ctx, t1, f.csrf)
	if err != nil {
		return tr, err
	}
	tr.ChildWorks = c.works()
	f.adopt(c)
	d.pending = append(d.pending, func() { d.recordReuse(WayLostResponse, delay, d.judgeReuse(a, r), nil) })
	if tr.Got == GotNewChild {
		s, err := d.refresh(ctx, r.refresh, f.csrf)
		if err != nil {
			return tr, err
		}
		tr.DuplicateWorks = s.works()
		f.adopt(s)
	}
	return tr, nil
}
