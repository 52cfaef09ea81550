package probe

import (
	"fmt"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
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
	RefreshSurvived int    `json:"refresh_survived"`
	AccessSurvived  int    `json:"access_survived"`
	Checked         int    `json:"checked"` // rejected trials whose revocation could be checked
	Revoked         int    `json:"revoked"` // checked trials after which both credentials died
	Detection       string `json:"detection"`
	Revocation      string `json:"revocation"`
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
	if d.fp.Grace.Kind == GraceWindow || d.fp.Grace.Kind == GraceAtLeast {
		p.Grace = time.Duration(d.fp.Grace.LowerMS) * time.Millisecond
	}
	return p
}

// judgeReuse judges the reply to a reused token with oracle.Judge.
func (d *prober) judgeReuse(a oracle.Attempt, r answer) oracle.Judgement {
	return oracle.Judge(a, d.declared(), 0, toReply(r))
}

// revocation is the follow-up of a rejected reuse: did the family's newest
// refresh token and access credential die? Each check is judged by
// oracle.JudgeProbe, as the load path's revocation probes are.
type revocation struct {
	refresh, access oracle.Judgement
	checked         bool
}

func checkRevocation(refresh answer, accessStatus int) revocation {
	rv := revocation{
		refresh: oracle.JudgeProbe(false, oracle.FailRevocationMissing, toReply(refresh)),
		access:  oracle.JudgeProbe(false, oracle.FailRevocationMissing, oracle.Reply{Status: accessStatus}),
	}
	if accessStatus == 0 {
		rv.access = oracle.Judgement{Outcome: oracle.RejRevokedFamily, Rejected: true}
	}
	rv.checked = (rv.refresh.Accepted || rv.refresh.Rejected) && (rv.access.Rejected || rv.access.Outcome == oracle.FailRevocationMissing)
	return rv
}

func (rv revocation) refreshAlive() bool { return rv.refresh.Outcome == oracle.FailRevocationMissing }
func (rv revocation) accessAlive() bool  { return rv.access.Outcome == oracle.FailRevocationMissing }

// survivors names what outlived a rejected reuse, for findings.
func (rv revocation) survivors() string {
	switch {
	case rv.refreshAlive() && rv.accessAlive():
		return "both the refresh token and the access credential still work"
	case rv.refreshAlive():
		return "the refresh token still works (the access credential died)"
	case rv.accessAlive():
		return "the access credential still works (the refresh chain died)"
	}
	return "nothing survived"
}

// recordReuse adds one trial to the way's verdict and turns it into
// findings: under reuse=revoke-family a rejected reuse that leaves either
// credential alive is fail_revocation_missing (one per trial, naming the
// survivor); a failure the oracle named for the reuse itself is reported
// as such.
func (d *prober) recordReuse(way string, delay time.Duration, j oracle.Judgement, rv *revocation) {
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
	if rv == nil || !rv.checked {
		return
	}
	v.Checked++
	if rv.refreshAlive() {
		v.RefreshSurvived++
	}
	if rv.accessAlive() {
		v.AccessSurvived++
	}
	alive := rv.refreshAlive() || rv.accessAlive()
	switch {
	case alive && d.opt.ExpectReuse == oracle.ReuseRevokeFamily:
		v.Outcomes[oracle.FailRevocationMissing.String()]++
		d.violation(oracle.FailRevocationMissing.String(), way, "%s was rejected, but the family was not revoked: %s", label, rv.survivors())
	case alive:
		v.Outcomes[oracle.RejReuse.String()]++
		d.weakness("reuse_rejected_only", way, "%s was rejected without revocation (%s), as reuse=reject declares", label, rv.survivors())
	case d.opt.ExpectReuse == oracle.ReuseReject:
		v.Outcomes[oracle.RejRevokedFamily.String()]++
		d.weakness("revoked_against_policy", way, "%s revoked the family although reuse=reject was declared", label)
	default:
		v.Outcomes[oracle.RejRevokedFamily.String()]++
	}
	if !alive {
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
