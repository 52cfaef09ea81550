package probe

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/revocation"
)

// The ways a rotated token comes back, as the reuse table names them.
const (
	WayConcurrent   = "concurrent_duplicate"
	WayLostResponse = "lost_response_retry"
	WayParent       = "parent_replay"
	WayGrandparent  = "grandparent_replay"
	WayStale        = "stale_cookie"
)

// Values of ReuseVerdict.Detection and .Revocation.
const (
	DetectRejected = "rejected" // every trial's reuse was rejected
	DetectAccepted = "accepted" // every trial's reuse was accepted
	DetectMixed    = "mixed"

	RevokedBoth    = "revoked"      // refresh token and access credential both died
	RevokedRefresh = "refresh_only" // the refresh chain died, the access credential lived
	RevokedAccess  = "access_only"  // the access credential died, the refresh chain lived
	RevokedNot     = "not_revoked"  // both survived the rejected reuse
	RevokedNA      = "not_applicable"
)

// ReuseVerdict is what the server did, over all trials, when a rotated
// token came back one way: whether the reuse was detected (rejected), and
// whether the rejection revoked the family, credential by credential. The
// counts come from oracle judgements, the same the load path makes.
type ReuseVerdict struct {
	Way     string `json:"way"`
	DelayMS *int64 `json:"delay_ms"` // the lost-response retry's delay; null for the others
	Trials  int    `json:"trials"`
	// Rejected trials: the oracle judged the reuse a rejection.
	Rejected int `json:"rejected"`
	// Of the rejected trials, how many left each credential alive.
	RefreshSurvived int `json:"refresh_survived"`
	AccessSurvived  int `json:"access_survived"`
	Checked         int `json:"checked"` // rejected trials whose revocation could be checked
	Revoked         int `json:"revoked"` // checked trials after which both credentials died
	// Zombies: revoked trials whose family worked again on the later look.
	Zombies    int    `json:"zombies"`
	Detection  string `json:"detection"`
	Revocation string `json:"revocation"`
	// Outcomes counts the oracle's outcome per trial (the reuse itself and,
	// when it was rejected, the revocation verdict).
	Outcomes map[string]int `json:"outcomes"`
}

// toReply turns an answer into the facts oracle.Judge reads.
func toReply(r answer) oracle.Reply {
	return oracle.Reply{Status: r.status, NewRefresh: r.refresh, NewAccess: r.access, ErrorCode: r.code}
}

// declared is the policy the probe judges reuse against: the grace window
// it measured (the longest delay that was still accepted, so the first
// rejected delay lies outside) and the declared reuse action.
func (d *prober) declared() oracle.Policy {
	p := oracle.Policy{Reuse: d.opt.ExpectReuse}
	if d.neverRejects() {
		return p // no window: every accepted reuse is a replay
	}
	if d.fp.Grace.Kind == GraceWindow || d.fp.Grace.Kind == GraceAtLeast {
		p.Grace = time.Duration(d.fp.Grace.LowerMS) * time.Millisecond
	}
	return p
}

// neverRejects reports a server that rejected no retry up to the longest
// delay and accepted the grandparent too: what looked like a window is a
// server that never rejects rotated tokens, so the accepted retries are
// replays, not grace. (A real any-ancestor window longer than the longest
// delay looks the same; the declared policy of `run` tells them apart.)
func (d *prober) neverRejects() bool {
	if d.fp.Grace.Kind != GraceAtLeast {
		return false
	}
	return slices.ContainsFunc(d.fp.Experiments.GrandparentReplay, func(t ReplayTrial) bool { return t.Accepted })
}

// judgeReuse judges the reply to a reused token with oracle.Judge.
func (d *prober) judgeReuse(a oracle.Attempt, r answer) oracle.Judgement {
	return oracle.Judge(a, d.declared(), 0, toReply(r))
}

// follow runs the shared revocation follow-up after a rejected reuse
// that came back one way: are the family's newest refresh token head and
// access credential dead? The second look, for a zombie, comes window plus
// the zombie margin later, on the first revoked trial of each way (what a
// server forgets, it forgets whichever way the reuse came). A family that
// lives on adopts the tokens the check rotated to.
func (d *prober) follow(ctx context.Context, f *family, way string, window time.Duration, head, access string) (revocation.Verdict, error) {
	c := &checker{d: d, csrf: f.csrf}
	later := time.Duration(-1)
	if !d.lookedLater[way] {
		later = window + d.opt.ZombieMargin
	}
	v := revocation.Follow(ctx, c, d.opt.ExpectReuse, later, head, access)
	if c.err != nil {
		return v, c.err
	}
	if v.Later != nil {
		d.lookedLater[way] = true
	}
	for _, l := range []*revocation.Look{&v.Now, v.Later} {
		if l != nil && l.RefreshAlive {
			f.adopt(answer{refresh: l.Refresh.NewRefresh, access: l.Refresh.NewAccess})
		}
	}
	return v, nil
}

// checker sends the follow-up's requests through the prober. A transport
// failure ends the probe, as everywhere else in it: the first is kept.
type checker struct {
	d    *prober
	csrf string
	err  error
}

func (c *checker) Refresh(ctx context.Context, token string) oracle.Reply {
	r, err := c.d.refresh(ctx, token, c.csrf)
	if err != nil {
		c.err = cmp.Or(c.err, err)
		return oracle.Reply{NoResponse: true}
	}
	return toReply(r)
}

func (c *checker) Access(ctx context.Context, access string) oracle.Reply {
	status, err := c.d.checkAccess(ctx, access)
	if err != nil {
		c.err = cmp.Or(c.err, err)
		return oracle.Reply{NoResponse: true}
	}
	return oracle.Reply{Status: status}
}

// recordReuse adds one trial to the way's verdict and turns it into
// findings: under reuse=revoke-family a rejected reuse that leaves either
// credential alive is fail_revocation_missing, and a revocation that does
// not last is fail_zombie_family (one finding per way, naming what
// survived); a failure the oracle named for the reuse itself is reported
// as such. rv is nil when the reuse was not rejected.
func (d *prober) recordReuse(way string, delay time.Duration, j oracle.Judgement, rv *revocation.Verdict) {
	v := d.verdict(way, delay)
	v.Trials++
	v.Outcomes[j.Outcome.String()]++
	label := way
	if way == WayLostResponse {
		label = fmt.Sprintf("%s after %v", way, delay)
	}
	if j.Outcome.IsFailure() {
		d.violation(j.Outcome.String(), way, "%s: %s", label, j.Detail)
	}
	if !j.Rejected || j.Outcome == oracle.RejCSRF {
		return
	}
	v.Rejected++
	if rv == nil || rv.Now.Undecided != nil {
		return
	}
	v.Checked++
	now := rv.Now
	if now.RefreshAlive {
		v.RefreshSurvived++
	}
	if now.AccessAlive {
		v.AccessSurvived++
	}
	v.Outcomes[rv.Outcome.String()]++
	switch {
	case rv.Outcome == oracle.FailRevocationMissing:
		d.violation(rv.Outcome.String(), way, "%s was rejected, but the family was not revoked: %s", label, now.Survivors())
	case rv.Outcome == oracle.FailZombieFamily:
		v.Zombies++
		d.violation(rv.Outcome.String(), way, "%s revoked the family, but %s", label, strings.TrimPrefix(rv.Detail, "the family was revoked, but "))
	case rv.AgainstPolicy:
		d.weakness("revoked_against_policy", way, "%s revoked the family although reuse=reject was declared", label)
	case now.Alive():
		d.weakness("reuse_rejected_only", way, "%s was rejected without revocation (%s), as reuse=reject declares", label, now.Survivors())
	}
	if !now.Alive() {
		v.Revoked++
	}
}

// verdict finds or adds the verdict row of way (and delay, for the
// lost-response retry).
func (d *prober) verdict(way string, delay time.Duration) *ReuseVerdict {
	var ms *int64
	if way == WayLostResponse {
		m := millis(delay)
		ms = &m
	}
	for i := range d.fp.Reuses {
		v := &d.fp.Reuses[i]
		if v.Way == way && (ms == nil || (v.DelayMS != nil && *v.DelayMS == *ms)) {
			return v
		}
	}
	d.fp.Reuses = append(d.fp.Reuses, ReuseVerdict{Way: way, DelayMS: ms, Outcomes: map[string]int{}})
	return &d.fp.Reuses[len(d.fp.Reuses)-1]
}

// settle fills each verdict's Detection and Revocation from its counts.
func (v *ReuseVerdict) settle() {
	switch {
	case v.Rejected == v.Trials && v.Trials > 0:
		v.Detection = DetectRejected
	case v.Rejected == 0 && v.Outcomes[oracle.OKRotated.String()]+v.Outcomes[oracle.OKGraceSameChild.String()]+
		v.Outcomes[oracle.OKGraceSibling.String()]+v.Outcomes[oracle.OKGraceCurrentHead.String()]+
		v.Outcomes[oracle.FailReplayAccepted.String()] == v.Trials && v.Trials > 0:
		v.Detection = DetectAccepted
	case v.Rejected == 0:
		v.Detection = Unknown
	default:
		v.Detection = DetectMixed
	}
	switch {
	case v.Checked == 0:
		v.Revocation = RevokedNA
	case v.RefreshSurvived == 0 && v.AccessSurvived == 0:
		v.Revocation = RevokedBoth
	case v.RefreshSurvived == v.Checked && v.AccessSurvived == v.Checked:
		v.Revocation = RevokedNot
	case v.RefreshSurvived == 0:
		v.Revocation = RevokedRefresh
	case v.AccessSurvived == 0:
		v.Revocation = RevokedAccess
	default:
		v.Revocation = DetectMixed
	}
}

// revocationByWay sums the reuse table into the fingerprint's one-word
// revocation: durable/none when every trial agrees, depends_on_way when
// some rejected reuses revoke and others do not (revocation that depends
// on timing).
func revocationByWay(vs []ReuseVerdict) string {
	var revoked, not int
	for _, v := range vs {
		revoked += v.Revoked
		not += v.Checked - v.Revoked
	}
	switch {
	case revoked > 0 && not > 0:
		return DependsOnWay
	case revoked > 0:
		return Durable
	case not > 0:
		return None
	}
	return Unknown
}
