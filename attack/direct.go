package attack

import (
	"context"
	"github.com/refreshstorm/refreshstorm/internal/wait"
	"net/http"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
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

// probeAccess checks whether an access cookie still opens the session
// endpoint; it must not once the family is revoked.
func (e *Engine) probeAccess(ctx context.Context, s *targets.Session, chaos ChaosKind, access string, failure oracle.Outcome) oracle.Judgement {
	if access == "" {
		return oracle.Judgement{Outcome: oracle.RejRevokedFamily}
	}
	pctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	sent := time.Now()
	status, err := e.profile.CheckAccess(pctx, e.direct, access)
	reply := oracle.Reply{Status: status, NoResponse: err != nil, Timeout: err != nil && isTimeout(err)}
	j := oracle.JudgeProbe(false, failure, reply)
	if ctx.Err() == nil {
		e.observe(results.KindProbe, chaos, s, sent, time.Since(sent), status, j)
	}
	return j
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
			e.emit(event{kind: evReSignIn})
			e.emit(event{kind: evObservation, obs: results.Observation{
				Start: sent, Session: s.FP, Family: s.FamilyFP, Kind: results.KindSignIn,
				Status: http.StatusOK, Outcome: oracle.OKRotated, Latency: time.Since(sent), Corrected: time.Since(sent),
				Detail: "signed a new family in",
			}})
			e.pool.Release(s)
			return
		}
	}
	s.Lost = true
	e.emit(event{kind: evLostSlot})
}

// probeRevocation follows a rejected reuse. Under reuse=revoke-family the
// family's newest token and access cookie must be dead at once and again
// after the grace window plus a margin; under reuse=reject the newest
// token must still work. It sets s.State (healthy when the family lives
// on, and then s holds the token the probe rotated to).
func (e *Engine) probeRevocation(ctx context.Context, s *targets.Session, chaos ChaosKind, head, access string) {
	if e.cfg.Policy.Reuse == oracle.ReuseReject {
		j, reply := e.probeRefresh(ctx, s, chaos, head, true, oracle.RejRevokedFamily)
		if j.Accepted {
			s.SetHead(reply.NewRefresh, reply.NewAccess, time.Now())
			s.State = oracle.FamilyHealthy
			return
		}
		if j.Rejected {
			s.State = oracle.FamilyRevokedCorrectly
		} else {
			s.State = oracle.FamilyDesync
		}
		return
	}
	j, _ := e.probeRefresh(ctx, s, chaos, head, false, oracle.FailRevocationMissing)
	ja := e.probeAccess(ctx, s, chaos, access, oracle.FailRevocationMissing)
	if j.Outcome == oracle.FailRevocationMissing || ja.Outcome == oracle.FailRevocationMissing {
		s.State = oracle.FamilyZombie
		return
	}
	if !wait.For(ctx, e.cfg.Policy.Grace+e.cfg.ProbeMargin) {
		s.State = oracle.FamilyRevokedCorrectly
		return
	}
	j, _ = e.probeRefresh(ctx, s, chaos, head, false, oracle.FailZombieFamily)
	ja = e.probeAccess(ctx, s, chaos, access, oracle.FailZombieFamily)
	if j.Outcome == oracle.FailZombieFamily || ja.Outcome == oracle.FailZombieFamily {
		s.State = oracle.FamilyZombie
	} else {
		s.State = oracle.FamilyRevokedCorrectly
	}
}
