package attack

import (
	"context"
	"fmt"
	"github.com/refreshstorm/refreshstorm/internal/wait"
	"net/http"
	"sync"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// endEvent finishes a chaos event: a family judged anything but healthy
// is replaced, a healthy one goes back to the pool.
func (e *Engine) endEvent(ctx context.Context, s *targets.Session) {
	if s.State != oracle.FamilyHealthy {
		e.replaceFamily(ctx, s)
		return
	}
	e.release(s)
}

// lostResponse: the refresh reaches the server and commits; the harness
// reads the answer (the ghost child) and then behaves as if it never came:
// after a delay the client retries with its old cookie.
func (e *Engine) lostResponse(s *targets.Session, req *http.Request) (*http.Response, error) {
	e.injected(ChaosLostResponse)
	resp, reply := e.send(req, s)
	received := time.Now()
	j := e.judgeHead(s, reply)
	annotate(resp.Header, s, j, ChaosLostResponse)
	if !j.Accepted {
		e.afterFailedRefresh(s, j, reply)
		return resp, nil
	}
	e.retryLost(s, ChaosLostResponse, reply.NewRefresh, reply.NewAccess, received, e.chaosItem(ChaosLostResponse).Delay)
	return resp, nil
}

// retryLost is the client's side of a lost answer (the lost-response and
// net-reset kinds): the server rotated to ghost at received, the client
// never learned it, and after delay it retries with its old token.
func (e *Engine) retryLost(s *targets.Session, kind ChaosKind, ghost, ghostAccess string, received time.Time, delay time.Duration) {
	e.goAsync(func(ctx context.Context) {
		if !wait.For(ctx, delay-time.Since(received)) {
			s.Rotate(ghost, ghostAccess, received)
			e.release(s)
			return
		}
		a := oracle.Attempt{Presented: oracle.PresentedParent, Who: oracle.Retry, Age: time.Since(received),
			Family: s.Family, Token: s.Refresh, KnownChild: ghost, KnownHead: ghost}
		if ghost == "" || ghost == s.Refresh {
			// The lost answer kept the token: the retry presents the head.
			a = oracle.Attempt{Who: oracle.Retry, Family: s.Family, Token: s.Refresh}
		}
		retry, sent, lat := e.refreshDirect(ctx, s.Refresh, s.CSRF)
		jr := e.judgeLate(a, retry, received)
		e.observe(results.KindDuplicate, kind, s, sent, lat, retry.Status, jr)
		switch {
		case jr.Accepted:
			s.Rotate(retry.NewRefresh, retry.NewAccess, time.Now())
			if jr.Outcome.IsFailure() {
				s.State = oracle.FamilyForked // the ghost and the retry's child may both live
			}
		case jr.RaceLogout:
			e.emit(event{kind: evRaceLogout})
			s.State = oracle.FamilyRevokedSpuriously
			if jr.SuspectReuse {
				e.followRevocation(ctx, s, kind, ghost, ghostAccess)
			}
		case jr.Outcome == oracle.Indeterminate:
			e.replaceFamily(ctx, s) // the client cannot know which token lives
			return
		default:
			s.Rotate(ghost, ghostAccess, received) // throttled or failed: the client keeps what it has
		}
		e.endEvent(ctx, s)
	})
}

// judgeLate judges a reused token's reply. The attempt's Age was taken
// before sending, the earliest the server can have seen the token; a
// rejection the oracle calls a failure inside the grace window is judged
// again with the age at the answer, the latest the server can have seen
// it, so that a loaded machine's queueing does not pass for the server
// closing its window early (the timing margin then decides).
func (e *Engine) judgeLate(a oracle.Attempt, reply oracle.Reply, rotated time.Time) oracle.Judgement {
	j := oracle.Judge(a, e.cfg.Policy, e.cfg.TimingMargin, reply)
	if j.Rejected && j.Outcome.IsFailure() {
		a.Age = time.Since(rotated)
		j = oracle.Judge(a, e.cfg.Policy, e.cfg.TimingMargin, reply)
	}
	return j
}

// burstResult is one request of a concurrent burst.
type burstResult struct {
	resp  *http.Response
	reply oracle.Reply
	sent  time.Time
	lat   time.Duration
	j     oracle.Judgement
	// folded: the reply is part of an incident another reply's row reports.
	folded bool
}

// concurrent: N requests with the same cookie released on one barrier
// (two tabs refreshing at once).
func (e *Engine) concurrent(s *targets.Session, req *http.Request) (*http.Response, error) {
	e.injected(ChaosConcurrent)
	n := e.chaosItem(ChaosConcurrent).N
	burst := make([]burstResult, n)
	reqs := make([]*http.Request, n)
	reqs[0] = req
	for i := 1; i < n; i++ {
		reqs[i] = targets.CloneRequest(req)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			burst[i].sent = time.Now()
			burst[i].resp, burst[i].reply = e.send(reqs[i], s)
			burst[i].lat = time.Since(burst[i].sent)
		}()
	}
	close(start)
	wg.Wait()
	lo, hi := burst[0].sent, burst[0].sent
	for _, b := range burst[1:] {
		lo, hi = minTime(lo, b.sent), maxTime(hi, b.sent)
	}
	e.emit(event{kind: evSpread, spread: hi.Sub(lo)})

	primary := e.judgeBurst(s, burst)
	p := &burst[primary]
	annotate(p.resp.Header, s, p.j, ChaosConcurrent)
	head, access := s.Refresh, s.Access
	if p.j.Accepted {
		head, access = p.reply.NewRefresh, p.reply.NewAccess
	}
	e.goAsync(func(ctx context.Context) { e.afterBurst(ctx, s, burst, primary, head, access) })
	return p.resp, nil
}

// judgeBurst judges every reply of a burst; the earliest accepted one is
// the rotation, the others are duplicates of a just-rotated parent. It
// returns the index of the primary reply (the one vegeta sees).
func (e *Engine) judgeBurst(s *targets.Session, burst []burstResult) int {
	primary := -1
	for i, b := range burst {
		if b.reply.Status < 200 || b.reply.Status > 299 || (b.reply.NewRefresh == "" && !b.reply.Kept) {
			continue
		}
		if primary < 0 || b.sent.Add(b.lat).Before(burst[primary].sent.Add(burst[primary].lat)) {
			primary = i
		}
	}
	head := oracle.Attempt{Family: s.Family, Token: s.Refresh}
	if primary < 0 {
		// Nothing accepted: every reply judges the newest token, but an
		// eviction of it is one eviction, whatever the burst's size.
		burst[0].j = e.judgeHead(s, burst[0].reply)
		for i := 1; i < len(burst); i++ {
			burst[i].j = oracle.Judge(head, e.cfg.Policy, e.cfg.TimingMargin, burst[i].reply)
			if burst[i].j.Outcome == oracle.FailUnexpectedLogout && burst[0].j.Outcome == oracle.Indeterminate {
				burst[i].j.Outcome, burst[i].j.Detail = burst[0].j.Outcome, burst[0].j.Detail
			}
		}
		return 0
	}
	burst[primary].j = oracle.Judge(head, e.cfg.Policy, e.cfg.TimingMargin, burst[primary].reply)
	child := burst[primary].reply.NewRefresh
	if child == "" {
		child = s.Refresh // kept: no new token issued
	}
	dup := oracle.Attempt{Presented: oracle.PresentedParent, Who: oracle.Duplicate, Family: s.Family,
		Token: s.Refresh, KnownChild: child, KnownHead: child}
	if child == s.Refresh {
		// The winner kept the token: the duplicates presented the head.
		dup = oracle.Attempt{Who: oracle.Duplicate, Family: s.Family, Token: s.Refresh}
	}
	for i := range burst {
		if i == primary {
			continue
		}
		burst[i].j = oracle.Judge(dup, e.cfg.Policy, e.cfg.TimingMargin, burst[i].reply)
		if burst[i].j.Rejected && burst[i].j.Outcome.IsFailure() {
			// The duplicate's age is 0 at best; at worst the time from the
			// rotation's sending to the duplicate's answer.
			late := dup
			late.Age = burst[i].sent.Add(burst[i].lat).Sub(burst[primary].sent)
			burst[i].j = oracle.Judge(late, e.cfg.Policy, e.cfg.TimingMargin, burst[i].reply)
		}
	}
	return primary
}

// afterBurst turns the burst's suspicions into verdicts: extra children
// accepted beyond the policy are probed for forks and orphans, a rejected
// duplicate triggers the revocation probes.
func (e *Engine) afterBurst(ctx context.Context, s *targets.Session, burst []burstResult, primary int, head, access string) {
	p := burst[primary]
	if p.j.Accepted {
		s.Rotate(head, access, time.Now())
	}
	if e.checkForks(ctx, s, burst, primary) {
		s.State = oracle.FamilyForked
	}
	suspect, logout := false, false
	for i, b := range burst {
		if i != primary && !b.folded {
			e.observe(results.KindDuplicate, ChaosConcurrent, s, b.sent, b.lat, b.reply.Status, b.j)
		}
		suspect = suspect || b.j.SuspectReuse
		logout = logout || b.j.RaceLogout
		if b.j.Outcome.IsFailure() && s.State == oracle.FamilyHealthy {
			s.State = oracle.FamilyRevokedSpuriously
		}
	}
	switch {
	case !p.j.Accepted:
		if p.j.Rejected {
			s.State = oracle.FamilyRevokedSpuriously
		} else if s.State == oracle.FamilyHealthy && p.j.Outcome != oracle.RateLimited && p.j.Outcome != oracle.RetryableConflict {
			s.State = oracle.FamilyDesync
		}
	case suspect && s.State == oracle.FamilyHealthy:
		if logout {
			e.emit(event{kind: evRaceLogout})
		}
		e.followRevocation(ctx, s, ChaosConcurrent, s.Refresh, s.Access)
	case logout:
		e.emit(event{kind: evRaceLogout})
	}
	e.endEvent(ctx, s)
}

// checkForks probes every distinct child a burst got beyond what the
// declared policy allows. A child that still refreshes next to another
// live one is a fork (double spend); one that is already dead is an
// orphan. It rewrites the duplicates' judgements and reports a fork.
func (e *Engine) checkForks(ctx context.Context, s *targets.Session, burst []burstResult, primary int) bool {
	if !e.cfg.Policy.Strict() {
		return false
	}
	child := burst[primary].reply.NewRefresh
	var extra []int
	for i, b := range burst {
		if i != primary && b.j.Accepted && b.reply.NewRefresh != child {
			extra = append(extra, i)
		}
	}
	if len(extra) == 0 {
		return false
	}
	jp, reply := e.probeRefresh(ctx, s, ChaosConcurrent, child, true, oracle.RejRevokedFamily)
	live := 0
	if jp.Accepted {
		live++
		s.SetHead(reply.NewRefresh, reply.NewAccess, time.Now())
	}
	var forks, orphans []int
	for _, i := range extra {
		jc, _ := e.probeRefresh(ctx, s, ChaosConcurrent, burst[i].reply.NewRefresh, true, oracle.RejRevokedFamily)
		if jc.Accepted {
			live++
			if live > 1 {
				forks = append(forks, i)
			}
			continue
		}
		orphans = append(orphans, i)
	}
	// One fork is one incident, however many extra children it has: its
	// first extra child's row carries the failure and the count, the
	// others fold into it. Orphans likewise.
	n := len(burst)
	incident(burst, forks, oracle.FailFork, func(k int) string {
		return fmt.Sprintf("%d concurrent refreshes of one token left %d live children: the family forked", n, k+1)
	})
	incident(burst, orphans, oracle.FailOrphanChild, func(k int) string {
		if k == 1 {
			return fmt.Sprintf("1 of %d concurrent refreshes got a 200 whose child is already dead", n)
		}
		return fmt.Sprintf("%d of %d concurrent refreshes got a 200 whose child is already dead", k, n)
	})
	return live > 1
}

// incident makes the burst replies in idx one incident of outcome: the
// first one's row carries it with detail(len(idx)), the others are folded.
func incident(burst []burstResult, idx []int, outcome oracle.Outcome, detail func(int) string) {
	for k, i := range idx {
		if k == 0 {
			burst[i].j.Outcome, burst[i].j.Detail = outcome, detail(len(idx))
			continue
		}
		burst[i].folded = true
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// csrfTamper sends the refresh with a missing, wrong or other family's
// CSRF token, in turn; a rejection must change nothing, so the same
// cookie is then refreshed with the valid token.
func (e *Engine) csrfTamper(s *targets.Session, req *http.Request) (*http.Response, error) {
	e.injected(ChaosCSRF)
	variant := oracle.CSRFVariant(1 + e.csrfSeq.Add(1)%3)
	other := e.otherCSRF[s.Index]
	var presented string
	switch {
	case variant == oracle.CSRFMissing:
	case variant == oracle.CSRFOtherFamily && other != "" && other != s.CSRF:
		presented = other
	default:
		variant = oracle.CSRFWrong
		presented = wrongCSRF(s.CSRF)
	}
	targets.SetRefresh(req, e.profile, s.Refresh, presented)
	resp, reply := e.send(req, s)
	j := oracle.Judge(oracle.Attempt{Family: s.Family, Token: s.Refresh, CSRF: variant}, e.cfg.Policy, e.cfg.TimingMargin, reply)
	annotate(resp.Header, s, j, ChaosCSRF)
	switch {
	case j.Accepted:
		s.Rotate(reply.NewRefresh, reply.NewAccess, time.Now())
		e.release(s)
	case j.Outcome == oracle.RejCSRF:
		e.goAsync(func(ctx context.Context) {
			jp, r := e.probeRefresh(ctx, s, ChaosCSRF, s.Refresh, true, oracle.FailCSRFSideEffect)
			switch {
			case jp.Accepted:
				s.Rotate(r.NewRefresh, r.NewAccess, time.Now())
			case jp.Outcome == oracle.FailCSRFSideEffect:
				s.State = oracle.FamilyDesync // the server moved on; the client has no live token
			}
			e.endEvent(ctx, s)
		})
	default:
		e.afterFailedRefresh(s, j, reply)
	}
	return resp, nil
}

// wrongCSRF returns a token of the same shape that is not the valid one.
func wrongCSRF(valid string) string {
	b := []byte(valid)
	if len(b) == 0 {
		return "tampered"
	}
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// staleCookie: the client restores its previous cookie (a jar restored
// from a stale snapshot) and refreshes with it.
func (e *Engine) staleCookie(s *targets.Session, req *http.Request) (*http.Response, error) {
	e.injected(ChaosStaleCookie)
	parent, _ := s.Ancestor(1)
	targets.SetRefresh(req, e.profile, parent.Token, s.CSRF)
	a := oracle.Attempt{Presented: oracle.PresentedParent, Who: oracle.Stale, Age: time.Since(parent.RotatedAt),
		Family: s.Family, Token: parent.Token, KnownChild: s.Refresh, KnownHead: s.Refresh}
	resp, reply := e.send(req, s)
	j := e.judgeLate(a, reply, parent.RotatedAt)
	annotate(resp.Header, s, j, ChaosStaleCookie)
	switch {
	case j.Accepted && !j.Outcome.IsFailure() && j.Outcome != oracle.Indeterminate:
		s.SetHead(reply.NewRefresh, reply.NewAccess, time.Now())
		e.release(s)
	case j.Accepted:
		if j.Outcome.IsFailure() {
			s.State = oracle.FamilyForked // the restored token started a second chain
		}
		e.goAsync(func(ctx context.Context) { e.replaceFamily(ctx, s) })
	case j.SuspectReuse:
		head, access := s.Refresh, s.Access
		e.goAsync(func(ctx context.Context) {
			e.followRevocation(ctx, s, ChaosStaleCookie, head, access)
			e.endEvent(ctx, s)
		})
	case j.Rejected:
		s.State = oracle.FamilyRevokedSpuriously
		e.goAsync(func(ctx context.Context) { e.replaceFamily(ctx, s) })
	default:
		e.afterFailedRefresh(s, j, reply)
	}
	return resp, nil
}

// replay: the refresh that just rotated the session is followed by a
// thief replaying a stolen ancestor d after it was rotated (the parent and
// the grandparent in turn); then the victim's newest token is probed.
func (e *Engine) replay(ctx context.Context, s *targets.Session) {
	depth := 1 + int(e.replaySeq.Add(1)%2)
	if depth == 2 {
		reply, sent, lat := e.refreshDirect(ctx, s.Refresh, s.CSRF)
		j := e.judgeHead(s, reply)
		if ctx.Err() != nil {
			e.release(s)
			return
		}
		e.observe(results.KindRefresh, ChaosReplay, s, sent, lat, reply.Status, j)
		if !j.Accepted {
			e.afterFailedRefresh(s, j, reply)
			return
		}
		s.Rotate(reply.NewRefresh, reply.NewAccess, time.Now())
	}
	stolen, _ := s.Ancestor(depth)
	d := e.chaosItem(ChaosReplay).Delay
	if !wait.For(ctx, d-time.Since(stolen.RotatedAt)) {
		e.release(s)
		return
	}
	presented := oracle.PresentedParent
	if depth > 1 {
		presented = oracle.PresentedAncestor
	}
	a := oracle.Attempt{Presented: presented, Who: oracle.Attacker, Age: time.Since(stolen.RotatedAt),
		Family: s.Family, Token: stolen.Token, KnownChild: s.Refresh, KnownHead: s.Refresh}
	if depth > 1 {
		a.KnownChild = ""
	}
	reply, sent, lat := e.refreshDirect(ctx, stolen.Token, s.CSRF)
	j := oracle.Judge(a, e.cfg.Policy, e.cfg.TimingMargin, reply)
	e.observe(results.KindReplay, ChaosReplay, s, sent, lat, reply.Status, j)
	switch {
	case j.Accepted && j.Outcome.IsFailure():
		s.State = oracle.FamilyForked // the thief holds a live chain of the victim's family
	case j.Accepted:
		// Allowed by the grace window: the thief's child lives beside the victim's.
	case j.SuspectReuse:
		e.followRevocation(ctx, s, ChaosReplay, s.Refresh, s.Access)
	case j.Outcome == oracle.Indeterminate:
		e.replaceFamily(ctx, s) // the thief may hold a live token: start clean
		return
	}
	e.endEvent(ctx, s)
}
