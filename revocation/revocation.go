// Package revocation is the follow-up of a rejected reuse: it asks the
// server whether the family's newest refresh token and access credential
// died, at once and again after the grace window, and turns the answers
// into one verdict per incident through the oracle. Both the load engine
// (attack) and policy discovery (probe) use it, so that a server's
// revocation is judged by one piece of code whichever found the reuse.
package revocation

import (
	"context"
	"fmt"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/wait"
	"github.com/refreshstorm/refreshstorm/oracle"
)

// Checker sends the two follow-up requests. Refresh presents token as the
// family's refresh token (with its valid CSRF token); Access asks whether
// an access credential still opens the session. A failure below HTTP is a
// Reply with NoResponse set.
type Checker interface {
	Refresh(ctx context.Context, token string) oracle.Reply
	Access(ctx context.Context, access string) oracle.Reply
}

// Look is one look at both credentials.
type Look struct {
	Start   time.Time
	Latency time.Duration // both requests
	// Refresh is the reply to refreshing the newest token; when it was
	// accepted, the family lives on with its new tokens.
	Refresh oracle.Reply
	// Access is the reply to the access check; Status 0 without
	// NoResponse when the family had no access credential to check.
	Access                    oracle.Reply
	RefreshAlive, AccessAlive bool
	// Undecided holds the oracle's judgement when either answer said
	// nothing about the token (no response, throttled, 5xx).
	Undecided *oracle.Judgement
	// Judgement is this look's row: the incident's failure when this look
	// found it, otherwise what the look saw.
	Judgement oracle.Judgement
}

// Alive reports whether either credential survived.
func (l Look) Alive() bool { return l.RefreshAlive || l.AccessAlive }

// Survivors names what outlived the rejected reuse, for details.
func (l Look) Survivors() string {
	switch {
	case l.RefreshAlive && l.AccessAlive:
		return "the newest refresh token and the access credential still work"
	case l.RefreshAlive:
		return "the newest refresh token still works (the access credential died)"
	case l.AccessAlive:
		return "the access credential still works (the refresh chain died)"
	}
	return "nothing survived"
}

// Verdict is the follow-up's conclusion: one incident, at most one failure.
type Verdict struct {
	Now Look
	// Later is the second look after the grace window plus a margin; nil
	// when there was none (nothing was revoked, undecided, or the context
	// ended while waiting).
	Later *Look
	// Outcome is the incident's verdict: fail_revocation_missing,
	// fail_zombie_family, rej_revoked_family (revoked, and it lasted),
	// rej_reuse (rejected without revocation, as reuse=reject declares),
	// or an undecided outcome.
	Outcome oracle.Outcome
	State   oracle.FamilyState
	Detail  string
	// AgainstPolicy: the family was revoked although reuse=reject was
	// declared (a deviation, not a security failure).
	AgainstPolicy bool
	// Lag: the family still worked at once but was dead at the second
	// look: the revocation bites only after a delay (a revocation lag, a
	// window in which the thief's tokens still work). Still
	// fail_revocation_missing, named for what it is.
	Lag bool
}

// Lives reports whether the family's refresh chain lives on: the caller
// then adopts Now.Refresh's new tokens.
func (v Verdict) Lives() bool { return v.Now.RefreshAlive && v.Now.Refresh.NewRefresh != "" }

// Follow checks, after a rejected reuse, whether the family of head (its
// newest refresh token) and access (its newest access credential, "" if
// none) was revoked. Under reuse=revoke-family both must be dead at once
// and, when later >= 0, still dead that long after (the grace window plus
// a margin: a zombie comes back once the server forgets the revocation);
// under reuse=reject the refresh token must still work. The access check
// goes first: refreshing rotates the family, and the old access credential
// may then die for that reason.
func Follow(ctx context.Context, c Checker, reuse oracle.ReuseAction, later time.Duration, head, access string) Verdict {
	now := look(ctx, c, head, access)
	v := Verdict{Now: now}
	if now.Undecided != nil {
		v.Outcome, v.State, v.Detail = now.Undecided.Outcome, oracle.FamilyDesync, now.Undecided.Detail
		v.Now.Judgement = *now.Undecided
		return v
	}
	if reuse == oracle.ReuseReject {
		return v.underReject()
	}
	if now.Alive() {
		v.Outcome, v.State = oracle.FailRevocationMissing, oracle.FamilyRevocationMissing
		v.Detail = "reuse was rejected, but the family was not revoked: " + now.Survivors()
		v.Now.Judgement = oracle.Judgement{Outcome: v.Outcome, Detail: v.Detail, Accepted: now.RefreshAlive}
		if later >= 0 && wait.For(ctx, later) {
			// Look again to tell a revocation that lags from none at all;
			// a refresh that worked rotated the family, so its child is
			// the newest token now.
			if n := now.Refresh.NewRefresh; now.RefreshAlive && n != "" {
				head = n
			}
			if n := now.Refresh.NewAccess; n != "" && access != "" {
				access = n
			}
			v.lookForLag(ctx, c, head, access, later)
		}
		return v
	}
	v.Now.Judgement = oracle.Judgement{Outcome: oracle.RejRevokedFamily, Rejected: true, Detail: "revoked at once: both credentials are dead"}
	v.Outcome, v.State, v.Detail = oracle.RejRevokedFamily, oracle.FamilyRevokedCorrectly, "revoked, and it lasted"
	if later < 0 || !wait.For(ctx, later) {
		return v
	}
	l := look(ctx, c, head, access)
	v.Later = &l
	switch {
	case l.Undecided != nil:
		l.Judgement = *l.Undecided
	case l.Alive():
		v.Outcome, v.State = oracle.FailZombieFamily, oracle.FamilyZombie
		v.Detail = fmt.Sprintf("the family was revoked, but %s later %s", later.Round(time.Millisecond), comeBack(l))
		l.Judgement = oracle.Judgement{Outcome: v.Outcome, Detail: v.Detail, Accepted: l.RefreshAlive}
	default:
		l.Judgement = oracle.Judgement{Outcome: oracle.RejRevokedFamily, Rejected: true,
			Detail: fmt.Sprintf("still revoked %s later", later.Round(time.Millisecond))}
	}
	return v
}

// underReject judges a follow-up under reuse=reject: the family must live.
func (v Verdict) underReject() Verdict {
	now := v.Now
	if now.RefreshAlive {
		v.Outcome, v.State = oracle.RejReuse, oracle.FamilyHealthy
		v.Detail = "rejected without revocation, as reuse=reject declares"
		v.Now.Judgement = oracle.Judgement{Outcome: oracle.OKRotated, Accepted: true, Detail: "still works, as reuse=reject declares"}
		return v
	}
	v.Outcome, v.State, v.AgainstPolicy = oracle.RejRevokedFamily, oracle.FamilyRevokedSpuriously, true
	v.Detail = "the family was revoked although reuse=reject was declared"
	v.Now.Judgement = oracle.Judgement{Outcome: v.Outcome, Rejected: true, Detail: v.Detail}
	return v
}

func comeBack(l Look) string {
	switch {
	case l.RefreshAlive && l.AccessAlive:
		return "its newest refresh token and access credential work again"
	case l.RefreshAlive:
		return "its newest refresh token works again"
	}
	return "its access credential works again"
}

// look asks about both credentials once.
func look(ctx context.Context, c Checker, head, access string) Look {
	l := Look{Start: time.Now()}
	if access != "" {
		l.Access = c.Access(ctx, access)
	}
	l.Refresh = c.Refresh(ctx, head)
	l.Latency = time.Since(l.Start)
	jr := oracle.JudgeProbe(false, oracle.FailRevocationMissing, l.Refresh)
	ja := oracle.Judgement{Outcome: oracle.RejRevokedFamily, Rejected: true}
	if access != "" {
		ja = oracle.JudgeProbe(false, oracle.FailRevocationMissing, l.Access)
	}
	switch {
	case !decided(jr):
		l.Undecided = &jr
	case !decided(ja):
		l.Undecided = &ja
	}
	l.RefreshAlive = jr.Outcome == oracle.FailRevocationMissing
	l.AccessAlive = ja.Outcome == oracle.FailRevocationMissing
	return l
}

// decided: the answer said whether the credential works.
func decided(j oracle.Judgement) bool {
	return j.Outcome == oracle.FailRevocationMissing || j.Outcome == oracle.RejRevokedFamily
}

// lookForLag takes the second look after a revocation that had not bitten
// yet: when everything is dead by then, the revocation lags.
func (v *Verdict) lookForLag(ctx context.Context, c Checker, head, access string, later time.Duration) {
	l := look(ctx, c, head, access)
	v.Later = &l
	if l.Undecided != nil {
		l.Judgement = *l.Undecided
		return
	}
	if l.Alive() {
		if l.RefreshAlive && l.Refresh.NewRefresh != "" {
			// The second look rotated the family again: callers adopt
			// Now.Refresh's tokens, so they must be the newest.
			v.Now.Refresh.NewRefresh, v.Now.Refresh.NewAccess = l.Refresh.NewRefresh, l.Refresh.NewAccess
		}
		// The incident's one failure row is the first look's.
		l.Judgement = oracle.Judgement{Outcome: oracle.OKRotated, Detail: "still not revoked " + later.Round(time.Millisecond).String() + " later", Accepted: l.RefreshAlive}
		return
	}
	v.Lag = true
	v.Detail = fmt.Sprintf("reuse was rejected, but the family was revoked only within %s: until then %s", later.Round(time.Millisecond), v.Now.Survivors())
	l.Judgement = oracle.Judgement{Outcome: oracle.RejRevokedFamily, Rejected: true, Detail: "revoked by the second look: a revocation lag"}
}
