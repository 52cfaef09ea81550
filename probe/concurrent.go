package probe

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/revocation"
)

// Burst sizes of the concurrent-duplicate experiment.
var burstSizes = []int{2, 10}

// concurrentExperiment releases N refreshes of one token on one start
// barrier over warm connections, then refreshes every distinct child it
// got: more than one live child where the observed policy allows one is a
// fork.
func (d *prober) concurrentExperiment(ctx context.Context) error {
	sum := &d.fp.Concurrent
	for _, n := range burstSizes {
		for round := 1; round <= d.opt.Rounds; round++ {
			d.progress("  burst of %d, round %d", n, round)
			cr, err := d.burstRound(ctx, n, round)
			if err != nil {
				return err
			}
			sum.Rounds++
			sum.MaxLiveChildren = max(sum.MaxLiveChildren, cr.LiveChildren)
			if cr.Accepted > 0 && cr.LiveChildren == 0 {
				sum.RaceLogouts++
			}
			if cr.LiveChildren > 1 && d.dupModel != GotNewChild && d.dupModel != Unknown {
				cr.Fork = true
				sum.Forks = true
				d.violation("fail_fork", expConcurrent,
					"%d concurrent refreshes of one token left %d live children, where the server's retry behaviour allows one: the family forked", n, cr.LiveChildren)
			}
			d.fp.Experiments.Concurrent = append(d.fp.Experiments.Concurrent, cr)
			if cr.Fork {
				break
			}
		}
	}
	return nil
}

func (d *prober) burstRound(ctx context.Context, n, round int) (ConcurrentRound, error) {
	cr := ConcurrentRound{N: n, Round: round, Statuses: []int{}, ErrorCodes: []string{}}
	f, err := d.signIn(ctx)
	if err != nil {
		return cr, err
	}
	defer d.signOut(ctx, f)
	d.warm(ctx, f.access, n)
	head := f.head

	bctx, cancel := context.WithTimeout(ctx, d.opt.Timeout)
	defer cancel()
	reqs := make([]*http.Request, n)
	for i := range reqs {
		if reqs[i], err = d.newRefresh(bctx, f.head, f.csrf); err != nil {
			return cr, err
		}
	}
	replies := make([]answer, n)
	errs := make([]error, n)
	sent := make([]time.Time, n)
	answered := make([]time.Time, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Go(func() {
			<-start
			sent[i] = time.Now()
			replies[i], errs[i] = d.send(reqs[i])
			answered[i] = time.Now()
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return cr, err
		}
	}
	lo, hi := sent[0], sent[0]
	var children []string
	for i, r := range replies {
		if sent[i].Before(lo) {
			lo = sent[i]
		}
		if sent[i].After(hi) {
			hi = sent[i]
		}
		cr.Statuses = append(cr.Statuses, r.status)
		if r.code != "" && !slices.Contains(cr.ErrorCodes, r.code) {
			cr.ErrorCodes = append(cr.ErrorCodes, r.code)
		}
		if r.accepted() {
			cr.Accepted++
			if !slices.Contains(children, r.refresh) {
				children = append(children, r.refresh)
			}
		}
	}
	slices.Sort(cr.Statuses)
	slices.Sort(cr.ErrorCodes)
	cr.SpreadUS = hi.Sub(lo).Microseconds()
	cr.DistinctChildren = len(children)
	// The winner is the first accepted reply; every other one is a
	// duplicate of a just-rotated parent, judged as the load path judges
	// a burst. A rejected duplicate is followed by the revocation check of
	// the winner's child; every other distinct child is refreshed to count
	// the live ones.
	winner := slices.IndexFunc(replies, answer.accepted)
	if winner < 0 {
		return cr, nil
	}
	child := replies[winner].refresh
	dup := oracle.Attempt{Presented: oracle.PresentedParent, Who: oracle.Duplicate, Token: head, KnownChild: child, KnownHead: child}
	judged := make([]oracle.Judgement, n)
	suspect := false
	for i, r := range replies {
		if i != winner {
			judged[i] = d.judgeReuse(dup, r)
			if judged[i].Rejected && judged[i].Outcome.IsFailure() {
				// The duplicate's age is unknown: 0 at best, at worst the
				// time from the winner's sending to its own answer (a
				// loaded server may reach it after the window closed).
				late := dup
				late.Age = answered[i].Sub(sent[winner])
				judged[i] = d.judgeReuse(late, r)
			}
			suspect = suspect || judged[i].SuspectReuse
		}
	}
	var rv *revocation.Verdict
	checked := ""
	if suspect {
		v, err := d.follow(ctx, f, WayConcurrent, 0, child, replies[winner].access)
		if err != nil {
			return cr, err
		}
		rv, checked = &v, child
		if v.Now.RefreshAlive {
			cr.LiveChildren++
		}
	}
	for _, c := range children {
		if c == checked {
			continue
		}
		r, err := d.refresh(ctx, c, f.csrf)
		if err != nil {
			return cr, err
		}
		if r.accepted() {
			cr.LiveChildren++
			f.adopt(r)
			continue
		}
		// Under a strict server an extra child that is already dead was
		// handed out in a 200 all the same: the client that got it is
		// logged out on its next refresh (the load path's orphan check).
		if c != child && r.rejected() && d.dupModel == "" {
			cr.DeadChildren++
		}
	}
	if cr.DeadChildren > 0 {
		d.violation(oracle.FailOrphanChild.String(), expConcurrent,
			"%d of %d concurrent refreshes got a 200 whose child is already dead", cr.DeadChildren, n)
	}
	for i, r := range replies {
		if i == winner || (r.accepted() && r.refresh != child) {
			continue // extra children are judged by the fork check
		}
		d.recordReuse(WayConcurrent, 0, judged[i], rv)
	}
	return cr, nil
}

// warm opens n connections to the target (best effort) by sending n
// session checks at once, so that the burst does not pay for dials.
func (d *prober) warm(ctx context.Context, access string, n int) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			_, _ = d.checkAccess(ctx, access)
		})
	}
	close(start)
	wg.Wait()
}
