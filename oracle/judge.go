package oracle

import (
	"fmt"
	"net/http"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/policyspec"
)

// Presented says which token of its chain a request presented.
type Presented uint8

const (
	// PresentedHead is the newest token the client holds.
	PresentedHead Presented = iota
	// PresentedParent is the token the head replaced (rotated).
	PresentedParent
	// PresentedAncestor is an older rotated token.
	PresentedAncestor
)

// Who sent the request, and so what the protocol promises it.
type Who uint8

const (
	// Client: a legitimate client following the protocol.
	Client Who = iota
	// Retry: a legitimate client retrying after a lost response.
	Retry
	// Duplicate: a legitimate client's concurrent duplicate (two tabs).
	Duplicate
	// Stale: a client that restored an older cookie.
	Stale
	// Attacker: a thief replaying a stolen token.
	Attacker
)

// CSRFVariant is the CSRF header a request carried.
type CSRFVariant uint8

const (
	CSRFValid CSRFVariant = iota
	CSRFMissing
	CSRFWrong
	CSRFOtherFamily
)

var csrfNames = [...]string{"valid", "missing", "wrong", "other-family"}

func (v CSRFVariant) String() string { return csrfNames[v] }

// Attempt is what the client knew when it sent the request.
type Attempt struct {
	Presented Presented
	Who       Who
	CSRF      CSRFVariant
	// Age is how long ago the presented token was rotated, as the client
	// saw it; meaningful for parents and ancestors.
	Age time.Duration
	// Family is the family id the client expects.
	Family string
	// Token is the presented token; a 2xx that returns it again did not rotate.
	Token string
	// KnownChild is the child the server already gave the presented token
	// (a duplicate's first answer, a lost response's ghost); KnownHead is
	// the family's newest token the harness knows. Both may be "".
	KnownChild, KnownHead string
}

// Judgement is the oracle's verdict on one response.
type Judgement struct {
	Outcome Outcome
	Detail  string
	// Accepted: the server answered 2xx with a usable new refresh token.
	Accepted bool
	// Rejected: the server refused the token (an auth failure, not a
	// throttle or an outage).
	Rejected bool
	// RaceLogout: a benign race (retry, duplicate) ended in rejection:
	// users feel it as a logout whether or not the policy allows it.
	RaceLogout bool
	// SuspectReuse: a rotated token was rejected as reuse; whether the
	// family was really revoked must be probed.
	SuspectReuse bool
}

// Judge classifies the reply to a refresh request. margin is the timing
// uncertainty around the grace window: ages within margin of it are
// indeterminate rather than judged.
func Judge(a Attempt, p Policy, margin time.Duration, r Reply) Judgement {
	if j, done := transportOrServer(r); done {
		return j
	}
	if r.ConfigError != "" {
		return Judgement{Outcome: FailBadResponse, Detail: fmt.Sprintf("configuration error: the target answered %d %s (check client id, secret and client auth)", r.Status, r.ConfigError)}
	}
	ok := r.Status >= 200 && r.Status <= 299
	if a.CSRF != CSRFValid {
		if ok {
			return Judgement{Outcome: FailCSRFBypass, Accepted: r.NewRefresh != "",
				Detail: fmt.Sprintf("refresh with %s CSRF token answered %d", a.CSRF, r.Status)}
		}
		return Judgement{Outcome: RejCSRF, Detail: fmt.Sprintf("%s CSRF token rejected with %d", a.CSRF, r.Status)}
	}
	if ok {
		return judgeAccepted(a, p, margin, r)
	}
	return judgeRejected(a, p, margin, r)
}

// transportOrServer handles the answers whose meaning does not depend on
// the attempt: no response, throttling, conflicts and server errors.
func transportOrServer(r Reply) (Judgement, bool) {
	switch {
	case r.NoResponse && r.Timeout:
		return Judgement{Outcome: Timeout, Detail: "no response within the timeout"}, true
	case r.NoResponse:
		return Judgement{Outcome: TransportError, Detail: "no HTTP response"}, true
	case r.Status == http.StatusTooManyRequests:
		return Judgement{Outcome: RateLimited, Detail: "429"}, true
	case r.Status == http.StatusConflict || r.Status == http.StatusLocked || r.Status == http.StatusServiceUnavailable:
		return Judgement{Outcome: RetryableConflict, Detail: fmt.Sprintf("%d: retry later", r.Status)}, true
	case r.Status >= 500:
		return Judgement{Outcome: FailServerError, Detail: fmt.Sprintf("server error %d %s", r.Status, r.ErrorCode)}, true
	}
	return Judgement{}, false
}

// window says where a rotated token's age falls against the grace window.
type window uint8

const (
	outside window = iota
	inside
	edge
)

func graceWindow(a Attempt, p Policy, margin time.Duration) window {
	if p.Grace <= 0 || a.Presented != PresentedParent {
		return outside
	}
	switch {
	case a.Age+margin <= p.Grace:
		return inside
	case a.Age-margin > p.Grace:
		return outside
	}
	return edge
}

func judgeAccepted(a Attempt, p Policy, margin time.Duration, r Reply) Judgement {
	j := Judgement{Accepted: true}
	if r.Kept && r.NewRefresh == "" {
		r.NewRefresh = a.Token // no new token issued: the presented one stays
	}
	switch {
	case r.Malformed != "":
		j.Outcome, j.Detail, j.Accepted = FailBadResponse, r.Malformed, false
		return j
	case r.NewRefresh == "":
		j.Outcome, j.Detail, j.Accepted = FailBadResponse, fmt.Sprintf("%d without a new refresh cookie", r.Status), false
		return j
	case r.CookieProblem != "":
		j.Outcome, j.Detail = FailCookieAttrs, r.CookieProblem
		return j
	case r.FamilyID != "" && a.Family != "" && r.FamilyID != a.Family:
		j.Outcome, j.Detail = FailBadResponse, "refresh answered for another session family"
		return j
	}
	if a.Presented == PresentedHead {
		if r.NewRefresh == a.Token {
			if p.KeepsAllowed() {
				j.Outcome, j.Detail = OKNotRotated, "same refresh token back, as rotate="+p.Rotate.String()+" allows"
				return j
			}
			j.Outcome, j.Detail, j.Accepted = FailBadResponse, "refresh token did not rotate (declare rotate=after-interval or rotate=never if that is the server's policy)", false
			return j
		}
		j.Outcome, j.Detail = OKRotated, "rotated"
		return j
	}
	if p.Parent == policyspec.ParentAnyAge && a.Presented == PresentedParent && graceWindow(a, p, margin) != inside {
		switch {
		case a.KnownHead != "" && r.NewRefresh == a.KnownHead:
			j.Outcome, j.Detail = OKGraceCurrentHead, fmt.Sprintf("parent rotated %s ago got the current head (parent=any-age)", a.Age.Round(time.Millisecond))
			return j
		case a.KnownChild != "" && r.NewRefresh == a.KnownChild:
			j.Outcome, j.Detail = OKGraceSameChild, fmt.Sprintf("parent rotated %s ago got its child again (parent=any-age)", a.Age.Round(time.Millisecond))
			return j
		}
	}
	switch graceWindow(a, p, margin) {
	case inside:
		switch {
		case a.KnownChild != "" && r.NewRefresh == a.KnownChild:
			j.Outcome, j.Detail = OKGraceSameChild, "same child inside the grace window"
		case a.KnownHead != "" && r.NewRefresh == a.KnownHead:
			j.Outcome, j.Detail = OKGraceCurrentHead, "current head inside the grace window"
		default:
			j.Outcome, j.Detail = OKGraceSibling, "new sibling inside the grace window"
		}
	case edge:
		j.Outcome, j.Detail = Indeterminate, fmt.Sprintf("accepted %s after rotation, within %s of the grace window", a.Age.Round(time.Millisecond), margin)
	default:
		j.Outcome = FailReplayAccepted
		j.Detail = fmt.Sprintf("token rotated %s ago accepted (%s)", a.Age.Round(time.Millisecond), whatWasPresented(a.Presented))
	}
	return j
}

func whatWasPresented(p Presented) string {
	if p == PresentedParent {
		return "parent"
	}
	return "older ancestor"
}

func judgeRejected(a Attempt, p Policy, margin time.Duration, r Reply) Judgement {
	j := Judgement{Rejected: true}
	auth := r.Refused || r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden
	if a.Presented == PresentedHead && a.Who != Duplicate {
		switch {
		case auth:
			j.Outcome = FailUnexpectedLogout
			j.Detail = fmt.Sprintf("newest token rejected with %d %s", r.Status, r.ErrorCode)
		default:
			j.Outcome, j.Rejected = FailBadResponse, false
			j.Detail = fmt.Sprintf("unexpected %d to a valid refresh", r.Status)
		}
		return j
	}
	benign := a.Who == Retry || a.Who == Duplicate
	j.RaceLogout = benign
	switch graceWindow(a, p, margin) {
	case inside:
		if a.Who == Retry {
			j.Outcome = FailLostResponseLogout
			j.Detail = fmt.Sprintf("retry %s after a lost response rejected with %d inside the grace window", a.Age.Round(time.Millisecond), r.Status)
			return j
		}
		if a.Who != Attacker {
			j.Outcome = FailFalsePositiveReuse
			j.Detail = fmt.Sprintf("legitimate duplicate rejected with %d inside the grace window", r.Status)
			return j
		}
		j.Outcome, j.SuspectReuse = RejReuse, true
		j.Detail = "replay rejected inside the grace window (stricter than declared)"
	case edge:
		j.Outcome = Indeterminate
		j.Detail = fmt.Sprintf("rejected %s after rotation, within %s of the grace window", a.Age.Round(time.Millisecond), margin)
	default:
		j.Outcome, j.SuspectReuse = RejReuse, true
		j.Detail = fmt.Sprintf("reuse of %s rejected with %d %s", whatWasPresented(a.Presented), r.Status, r.ErrorCode)
	}
	return j
}

// JudgeProbe classifies a follow-up probe: a request whose only purpose is
// to learn whether a token (or access cookie) still works. When it should
// be dead and works, the outcome is failure; when it should work and is
// rejected, the outcome is failure too.
func JudgeProbe(expectAlive bool, failure Outcome, r Reply) Judgement {
	if j, done := transportOrServer(r); done {
		return j
	}
	works := r.Status >= 200 && r.Status <= 299
	switch {
	case expectAlive && works:
		return Judgement{Outcome: OKRotated, Accepted: r.NewRefresh != "", Detail: "still works, as it must"}
	case expectAlive:
		return Judgement{Outcome: failure, Rejected: true, Detail: fmt.Sprintf("should still work, got %d %s", r.Status, r.ErrorCode)}
	case works:
		return Judgement{Outcome: failure, Accepted: r.NewRefresh != "", Detail: fmt.Sprintf("should be dead, got %d", r.Status)}
	}
	return Judgement{Outcome: RejRevokedFamily, Rejected: true, Detail: fmt.Sprintf("dead, as it must be (%d)", r.Status)}
}

// JudgeAccess classifies an access check after a revocation: a live
// access token is failure when the policy says access tokens are
// revocable, and a reported property when they are self-contained.
func JudgeAccess(p Policy, failure Outcome, r Reply) Judgement {
	j := JudgeProbe(false, failure, r)
	if j.Outcome == failure && !p.AccessRevocable() {
		return Judgement{Outcome: OKAccessSelfContained, Detail: fmt.Sprintf("access token still works (%d): self-contained, as declared", r.Status)}
	}
	return j
}
