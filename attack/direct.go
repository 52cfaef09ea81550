package attack

import (
	"context"
	"net/http"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/revocation"
	"github.com/refreshstorm/refreshstorm/targets"
)

// refreshDirect sends one refresh outside vegeta (follow-ups, probes,
// replays) presenting token with csrf.
func (e *Engine) refreshDirect(ctx context.Context, token, csrf string) (reply oracle.Reply, sent time.Time, lat time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	req, err := targets.NewRefreshRequest(ctx, e.profile, token, csrf)
	if err != nil {
		return oracle.Reply{NoResponse: true}, time.Now(), 0
	}
	sent = time.Now()
	_, reply = e.send(req, nil)
	return reply, sent, time.Since(sent)
}

// probeRefresh refreshes token to learn whether it works, and records the
// probe. expectAlive picks the expectation; failure is the outcome when
// it is not met.
func (e *Engine) probeRefresh(ctx context.Context, s *targets.Session, chaos ChaosKind, token string, expectAlive bool, failure oracle.Outcome) (oracle.Judgement, oracle.Reply) {
	reply, sent, lat := e.refreshDirect(ctx, token, s.CSRF)
	j := oracle.JudgeProbe(expectAlive, failure, reply)
	if ctx.Err() == nil {
		e.observe(results.KindProbe, chaos, s, sent, lat, reply.Status, j)
	}
	return j, reply
}

// release hands a session back to the pool after a chaos event.
func (e *Engine) release(s *targets.Session) { e.pool.Release(s) }

// replaceFamily ends the session's family with its current State and
// signs a new one in, so the pool keeps its size and the offered load
// stays constant.
func (e *Engine) replaceFamily(ctx context.Context, s *targets.Session) {
	e.emit(event{kind: evFamilyEnd, state: s.State})
	if s.Cred < 0 && len(e.cfg.Creds) > 0 {
		s.Cred = s.Index % len(e.cfg.Creds) // an imported session: replace it with a user's sign-in
	}
	if ctx.Err() == nil && s.Cred >= 0 && s.Cred < len(e.cfg.Creds) {
		sent := time.Now()
		err := e.pool.ReSignIn(ctx, e.direct, s, e.cfg.Creds[s.Cred], e.cfg.Bootstrap)
		if err == nil {
			e.spiral.signedIn(s)
			e.emit(event{kind: evReSignIn})
			// The new family's cookies are checked as the first sign-in's
			// were: a target may set them right once and wrong later.
			outcome, detail := oracle.OKRotated, "signed a new family in"
			if s.CookieProblem != "" {
				outcome, detail = oracle.FailCookieAttrs, "re-sign-in: "+s.CookieProblem
				s.CookieProblem = ""
			}
			e.emit(event{kind: evObservation, obs: results.Observation{
				Start: sent, Session: s.FP(), Family: s.FamilyFP(), Kind: results.KindSignIn,
				Status: http.StatusOK, Outcome: outcome, Latency: time.Since(sent), Corrected: time.Since(sent),
				Detail: detail,
			}})
			e.pool.Release(s)
			return
		}
	}
	s.Lost = true
	e.emit(event{kind: evLostSlot})
}

// followRevocation follows a rejected reuse with the shared revocation
// check and records it as one incident: a probe row per look, at most one
// of them a failure. s.State gets the family's state; when the family
// lives on, s holds the token the check rotated to.
func (e *Engine) followRevocation(ctx context.Context, s *targets.Session, chaos ChaosKind, head, access string) {
	selfContained := !e.cfg.Policy.AccessRevocable() || !e.profile.ChecksAccess()
	judged := access
	if selfContained {
		judged = "" // nothing to demand of an access token that cannot die (or cannot be asked about)
	}
	v := revocation.Follow(ctx, engineChecker{e, s}, e.cfg.Policy.Reuse, e.cfg.Policy.Grace+e.cfg.ProbeMargin, head, judged)
	s.State = v.State
	if v.Lives() {
		s.SetHead(v.Now.Refresh.NewRefresh, v.Now.Refresh.NewAccess, time.Now())
	}
	if ctx.Err() != nil {
		return
	}
	for _, l := range []*revocation.Look{&v.Now, v.Later} {
		if l != nil {
			e.observe(results.KindProbe, chaos, s, l.Start, l.Latency, l.Refresh.Status, l.Judgement)
		}
	}
	if selfContained && access != "" && e.profile.ChecksAccess() && v.State != oracle.FamilyHealthy {
		e.reportSelfContained(ctx, s, chaos, access)
	}
}

// reportSelfContained records whether a revoked family's access token
// still works, as a property of the server (ok_access_self_contained)
// rather than a failure: the declared policy says access tokens live on.
func (e *Engine) reportSelfContained(ctx context.Context, s *targets.Session, chaos ChaosKind, access string) {
	sent := time.Now()
	r := engineChecker{e, s}.Access(ctx, access)
	j := oracle.JudgeAccess(e.cfg.Policy, oracle.FailRevocationMissing, r)
	if ctx.Err() == nil {
		e.observe(results.KindProbe, chaos, s, sent, time.Since(sent), r.Status, j)
	}
}

// engineChecker sends the revocation check's requests for one session.
type engineChecker struct {
	e *Engine
	s *targets.Session
}

func (c engineChecker) Refresh(ctx context.Context, token string) oracle.Reply {
	reply, _, _ := c.e.refreshDirect(ctx, token, c.s.CSRF)
	return reply
}

func (c engineChecker) Access(ctx context.Context, access string) oracle.Reply {
	ctx, cancel := context.WithTimeout(ctx, c.e.cfg.Timeout)
	defer cancel()
	status, err := c.e.profile.CheckAccess(ctx, c.e.direct, access)
	return oracle.Reply{Status: status, NoResponse: err != nil, Timeout: err != nil && isTimeout(err)}
}
