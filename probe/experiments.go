package probe

import (
	"context"
	"fmt"
	"github.com/refreshstorm/refreshstorm/internal/wait"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/revocation"
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
	defer d.flush()
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
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Go(func() {
			<-start
			sent[i] = time.Now()
			replies[i], errs[i] = d.send(reqs[i])
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
		}
	}
	for i, r := range replies {
		if i == winner || (r.accepted() && r.refresh != child) {
			continue // extra children are judged by the fork check
		}
		d.recordReuse(WayConcurrent, 0, judged[i], rv)
	}
	return cr, nil
}

// staleExperiment: T0→T1, then the client restores T0 from a stale jar
// outside the measured window; the newest token and access credential
// are checked as after any rejected reuse.
func (d *prober) staleExperiment(ctx context.Context) error {
	delay := 100 * time.Millisecond
	if d.fp.Grace.Kind == GraceWindow || d.fp.Grace.Kind == GraceAtLeast {
		delay = d.fp.Grace.upper() + d.opt.ZombieMargin
	}
	f, err := d.signIn(ctx)
	if err != nil {
		return err
	}
	defer d.signOut(ctx, f)
	heads, err := d.chain(ctx, f, 1)
	if err != nil {
		return err
	}
	t0, t1, a1 := heads[0], heads[1], f.access
	if !wait.For(ctx, delay) {
		return ctx.Err()
	}
	r, err := d.refresh(ctx, t0, f.csrf)
	if err != nil {
		return err
	}
	a := oracle.Attempt{Presented: oracle.PresentedParent, Who: oracle.Stale, Age: delay, Token: t0, KnownChild: t1, KnownHead: t1}
	j := d.judgeReuse(a, r)
	if !r.rejected() {
		d.recordReuse(WayStale, delay, j, nil)
		return nil
	}
	rv, err := d.follow(ctx, f, WayStale, delay, t1, a1)
	if err != nil {
		return err
	}
	d.recordReuse(WayStale, delay, j, &rv)
	return nil
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
	if d.fp.Grace.Kind == GraceAtLeast {
		// Every retry was accepted: the parent may be honoured at any age,
		// and only the grandparent can show where the window ends.
		from = 0
	}
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

// CSRF variants.
const (
	cSRFMissing = "missing"
	cSRFWrong   = "wrong"
	cSRFOther   = "other_family"
)

// csrfExperiment refreshes with a missing, a wrong and another family's
// CSRF token, each on a fresh family; a rejection must change nothing, so
// the same refresh cookie is then refreshed with the valid token.
func (d *prober) csrfExperiment(ctx context.Context) error {
	sum := &d.fp.CSRF
	for _, v := range []string{cSRFMissing, cSRFWrong, cSRFOther} {
		d.progress("  CSRF %s", v)
		tr, err := d.csrfTrial(ctx, v)
		if err != nil {
			return err
		}
		d.fp.Experiments.CSRF = append(d.fp.Experiments.CSRF, tr)
		result := Unknown
		switch {
		case tr.Accepted:
			result = Accepted
			d.violation("fail_csrf_bypass", expCSRF, "a refresh with a %s CSRF token was accepted (HTTP %d)", cSRFText(v), tr.Status)
		case isRejection(tr.Status):
			result = Rejected
		}
		switch v {
		case cSRFMissing:
			sum.Missing = result
		case cSRFWrong:
			sum.Wrong = result
		default:
			sum.OtherFamily = result
		}
		if tr.SideEffectFree != nil {
			if !*tr.SideEffectFree {
				d.violation("fail_csrf_side_effect", expCSRF,
					"a refresh rejected for a %s CSRF token (HTTP %d) still changed the session: the same cookie then got HTTP %d %s",
					cSRFText(v), tr.Status, tr.CheckStatus, tr.CheckError)
			}
			if sum.SideEffectFree == nil || *sum.SideEffectFree {
				sum.SideEffectFree = boolPtr(*tr.SideEffectFree)
			}
		}
	}
	return nil
}

func cSRFText(v string) string {
	switch v {
	case cSRFMissing:
		return "missing"
	case cSRFWrong:
		return "wrong"
	}
	return "another family's"
}

func (d *prober) csrfTrial(ctx context.Context, variant string) (CSRFTrial, error) {
	tr := CSRFTrial{Variant: variant}
	f, err := d.signIn(ctx)
	if err != nil {
		return tr, err
	}
	defer d.signOut(ctx, f)
	var csrf string
	switch variant {
	case cSRFWrong:
		csrf = tamper(f.csrf)
	case cSRFOther:
		o, err := d.signIn(ctx)
		if err != nil {
			return tr, err
		}
		defer d.signOut(ctx, o)
		csrf = o.csrf
		if csrf == f.csrf { // the token is not bound to the family at all
			csrf = tamper(csrf)
		}
	}
	r, err := d.refresh(ctx, f.head, csrf)
	if err != nil {
		return tr, err
	}
	tr.Status, tr.Error, tr.Accepted = r.status, r.code, r.accepted()
	if !r.rejected() {
		f.adopt(r)
		return tr, nil
	}
	c, err := d.refresh(ctx, f.head, f.csrf)
	if err != nil {
		return tr, err
	}
	tr.CheckStatus, tr.CheckError = c.status, c.code
	tr.SideEffectFree = c.works()
	f.adopt(c)
	return tr, nil
}

// tamper returns a token of the same shape that is not the valid one.
func tamper(valid string) string {
	if valid == "" {
		return "tampered"
	}
	b := []byte(valid)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// summarize derives the fingerprint's verdicts from the experiments.
func (d *prober) summarize() {
	fp := d.fp
	ex := &fp.Experiments
	d.windowFromAncestors()

	// Who may use the window, and what a duplicate gets.
	var gpAccepted *ReplayTrial
	for i := range ex.GrandparentReplay {
		if ex.GrandparentReplay[i].Accepted {
			gpAccepted = &ex.GrandparentReplay[i]
			break
		}
	}
	switch {
	case gpAccepted != nil:
		fp.WindowUsers = AnyAncestor
	case fp.Grace.Kind == GraceStrict:
		fp.WindowUsers = None
	case fp.Grace.Kind == Unknown || len(ex.GrandparentReplay) == 0 || ex.GrandparentReplay[0].Status == 0 ||
		!isRejection(ex.GrandparentReplay[0].Status):
		fp.WindowUsers = Unknown
	default:
		fp.WindowUsers = ParentOnly
	}
	switch d.dupModel {
	case "":
		fp.DuplicateGets = None
	case GotNewChild:
		fp.DuplicateGets = Sibling
	case GotChild:
		// With a parent-only window the child is the current head; only an
		// ancestor's duplicate tells the two apart.
		fp.DuplicateGets = SameChildOrHead
		if gpAccepted != nil {
			switch gpAccepted.Got {
			case GotChild:
				fp.DuplicateGets = SameChild
			case GotHead:
				fp.DuplicateGets = CurrentHead
			}
		}
	default:
		fp.DuplicateGets = Unknown
	}

	// What reuse does, and whether revocation lasts.
	var rejected, revoked, notRevoked, zombie, partial, anyTrial bool
	for _, series := range [][]ReplayTrial{ex.ParentReplay, ex.GrandparentReplay} {
		for _, tr := range series {
			anyTrial = true
			if !isRejection(tr.Status) {
				continue
			}
			rejected = true
			switch {
			case tr.FamilyRevoked == nil:
			case *tr.FamilyRevoked:
				revoked = true
				if tr.NewestAccessStatus >= 200 && tr.NewestAccessStatus <= 299 {
					partial = true
				}
			default:
				notRevoked = true
			}
		}
	}
	for _, v := range fp.Reuses {
		zombie = zombie || v.Zombies > 0
	}
	switch {
	case notRevoked:
		fp.Reuse = RejectOnly
	case revoked:
		fp.Reuse = RevokeFamily
	case anyTrial && !rejected && len(ex.ParentReplay) > 0 && ex.ParentReplay[len(ex.ParentReplay)-1].Accepted:
		fp.Reuse = NeverRejected
	default:
		fp.Reuse = Unknown
	}
	switch {
	case zombie:
		fp.Revocation = Zombie
	case partial:
		fp.Revocation = Partial
	case revoked:
		fp.Revocation = Durable
	case notRevoked || fp.Reuse == NeverRejected:
		fp.Revocation = None
	default:
		fp.Revocation = Unknown
	}
	if fp.CSRF.Missing == "" {
		fp.CSRF.Missing = Unknown
	}
	if fp.CSRF.Wrong == "" {
		fp.CSRF.Wrong = Unknown
	}
	if fp.CSRF.OtherFamily == "" {
		fp.CSRF.OtherFamily = Unknown
	}
	for i := range fp.Reuses {
		fp.Reuses[i].settle()
	}
	// Siblings were allowed to live side by side because the retries looked
	// like a sibling-minting window; a server that also accepts rotated
	// tokens outside any window has no such window, so extra live children
	// are a double spend after all.
	if fp.HasViolation(oracle.FailReplayAccepted.String()) && !fp.Concurrent.Forks {
		for i := range ex.Concurrent {
			if c := &ex.Concurrent[i]; c.LiveChildren > 1 {
				c.Fork, fp.Concurrent.Forks = true, true
				d.violation(oracle.FailFork.String(), expConcurrent,
					"%d concurrent refreshes of one token left %d live children, and the server accepts rotated tokens outside any window: the family forked", c.N, c.LiveChildren)
				break
			}
		}
	}
	// A zombie or partial revocation seen by the replays is more specific
	// than "durable"; revocation that differs between ways trumps both.
	if revocationByWay(fp.Reuses) == Lagging {
		fp.Reuse = RevokeFamily
	}
	if r := revocationByWay(fp.Reuses); r == DependsOnWay || (r != Unknown && fp.Revocation != Zombie && fp.Revocation != Partial) {
		fp.Revocation = r
	}
	fp.Verdict = "pass"
	if fp.Violated() {
		fp.Verdict = "fail"
	}
}

// windowFromAncestors estimates the grace window from the grandparent
// replays when the retries could not: a server that honours the immediate
// parent at any age accepts every retry, yet an older ancestor is
// accepted only inside the window and refused after it.
func (d *prober) windowFromAncestors() {
	fp := d.fp
	if fp.Grace.Kind != GraceAtLeast {
		return
	}
	lastAccepted, firstRejected := int64(-1), int64(-1)
	for _, tr := range fp.Experiments.GrandparentReplay {
		switch {
		case tr.Accepted:
			lastAccepted = tr.DelayMS
		case isRejection(tr.Status) && firstRejected < 0:
			firstRejected = tr.DelayMS
		}
	}
	if lastAccepted < 0 || firstRejected <= lastAccepted {
		return
	}
	up := firstRejected
	fp.Grace = Grace{Kind: GraceWindow, LowerMS: lastAccepted, UpperMS: &up,
		Text: fmt.Sprintf("[%v, %v] (from the grandparent replays: the parent is honoured at any age)", dur(lastAccepted), dur(firstRejected))}
	d.weakness("parent_any_age", expLostResponse,
		"the immediate parent was accepted at every delay up to %v, past the window the grandparent replays show: a stolen parent token keeps working", dur(fp.MaxDelayMS))
}
