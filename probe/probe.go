package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// Schema versions the JSON form of a Fingerprint.
const Schema = "refreshstorm/probe/v2"

// Discovery defaults and bounds.
const (
	DefaultMaxDelay     = 35 * time.Second
	DefaultTimeout      = 10 * time.Second
	DefaultRounds       = 3
	DefaultZombieMargin = time.Second
	// DelayLimit bounds --max-delay, so that a probe ends in minutes.
	DelayLimit = 10 * time.Minute
	// MaxRounds bounds the concurrent-duplicate rounds per N.
	MaxRounds = 10
)

// Options shape a discovery.
type Options struct {
	// MaxDelay is the longest replay delay tried (default 35s).
	MaxDelay time.Duration
	// Timeout bounds every request (default 10s).
	Timeout time.Duration
	// Rounds is how many concurrent-duplicate bursts are tried per N
	// (default 3); they stop at the first fork.
	Rounds int
	// ZombieMargin is added to the estimated grace window before a revoked
	// family is probed again (default 1s).
	ZombieMargin time.Duration
	// ExpectReuse is the declared reuse action. Over HTTP a server that
	// rejects a reused token without revoking its family looks the same
	// whether that is its documented policy or a bug, so the declaration
	// decides: under revoke-family (the default, RFC 9700) it is
	// fail_revocation_missing, under reject a weakness.
	ExpectReuse oracle.ReuseAction
	// AllowInsecureCookies reports cookie attribute problems as weaknesses
	// instead of fail_cookie_attrs (dev targets over plain HTTP).
	AllowInsecureCookies bool
	// SignOutURL, when set, is POSTed with a family's refresh cookie and
	// CSRF header (as the profile fills them) to end each experiment's
	// family; otherwise families are abandoned.
	SignOutURL string
	// Target labels the report (userinfo and query are dropped); default
	// the profile's refresh URL.
	Target string
	// Progress, when set, receives one line per step.
	Progress func(msg string)
}

func (o Options) withDefaults() (Options, error) {
	if o.MaxDelay == 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Rounds == 0 {
		o.Rounds = DefaultRounds
	}
	if o.ZombieMargin == 0 {
		o.ZombieMargin = DefaultZombieMargin
	}
	switch {
	case o.MaxDelay < 0 || o.MaxDelay > DelayLimit:
		return o, fmt.Errorf("max delay %v: want more than 0 and at most %v", o.MaxDelay, DelayLimit)
	case o.Timeout < 0:
		return o, fmt.Errorf("timeout %v is negative", o.Timeout)
	case o.Rounds < 1 || o.Rounds > MaxRounds:
		return o, fmt.Errorf("rounds %d: want 1..%d", o.Rounds, MaxRounds)
	case o.ZombieMargin < 0:
		return o, fmt.Errorf("zombie margin %v is negative", o.ZombieMargin)
	}
	return o, nil
}

// Fingerprint is what discovery learnt about a target. It never holds a
// token, a CSRF value or a password: only statuses, error codes, delays and
// booleans. Durations are in milliseconds.
type Fingerprint struct {
	Schema        string `json:"schema"`
	Target        string `json:"target"`
	Profile       string `json:"profile"`
	MaxDelayMS    int64  `json:"max_delay_ms"`
	DeclaredReuse string `json:"declared_reuse"`
	ElapsedMS     int64  `json:"elapsed_ms"`

	// Grace is the estimated grace window.
	Grace Grace `json:"grace"`
	// WindowUsers is who may use the window: none (strict), parent_only,
	// any_ancestor, or unknown.
	WindowUsers string `json:"window_users"`
	// DuplicateGets is what a duplicate inside the window gets: none
	// (strict), same_child, current_head, same_child_or_current_head (with
	// a parent-only window the child is the current head, so the two
	// cannot be told apart), sibling, or unknown.
	DuplicateGets string `json:"duplicate_gets"`
	// Reuse is what reuse outside the window does: revoke_family,
	// reject_only, never_rejected (up to the longest delay), or unknown.
	Reuse string `json:"reuse"`
	// Revocation says whether a revocation lasts: durable, zombie (the
	// family works again later), partial (the refresh chain is dead but the
	// access cookie still opens the session), none (nothing was revoked),
	// or unknown.
	Revocation string       `json:"revocation"`
	Concurrent Concurrency  `json:"concurrent"`
	CSRF       CSRFSummary  `json:"csrf"`
	Cookies    CookieReport `json:"cookies"`

	// Reuses states, for each way a rotated token comes back, whether the
	// reuse was detected and whether it revoked the family.
	Reuses      []ReuseVerdict `json:"reuse_by_way"`
	Violations  []Finding      `json:"violations"`
	Weaknesses  []Finding      `json:"weaknesses"`
	Experiments Experiments    `json:"experiments"`
	// Verdict is fail when any invariant is violated, pass otherwise.
	Verdict string `json:"verdict"`
}

// Violated reports whether any invariant was violated.
func (f *Fingerprint) Violated() bool { return len(f.Violations) > 0 }

// HasViolation reports whether the named fail_* outcome was found.
func (f *Fingerprint) HasViolation(key string) bool { return hasFinding(f.Violations, key) }

// HasWeakness reports whether the named weakness was found.
func (f *Fingerprint) HasWeakness(key string) bool { return hasFinding(f.Weaknesses, key) }

func hasFinding(list []Finding, key string) bool {
	for _, v := range list {
		if v.Key == key {
			return true
		}
	}
	return false
}

// Values of the fingerprint's enumerations.
const (
	GraceStrict  = "strict"
	GraceWindow  = "window"
	GraceAtLeast = "at_least"
	Unknown      = "unknown"
	None         = "none"

	ParentOnly  = "parent_only"
	AnyAncestor = "any_ancestor"

	SameChild       = "same_child"
	CurrentHead     = "current_head"
	SameChildOrHead = "same_child_or_current_head"
	Sibling         = "sibling"

	RevokeFamily  = "revoke_family"
	RejectOnly    = "reject_only"
	NeverRejected = "never_rejected"

	Durable      = "durable"
	DependsOnWay = "depends_on_way"
	Zombie       = "zombie"
	Partial      = "partial"

	// What a duplicate or replay was answered with (Got fields).
	GotNone     = "none"      // rejected or undecided
	GotChild    = "child"     // the presented token's child (for a parent: also the head)
	GotHead     = "head"      // the family's current head, not the presented token's child
	GotNewChild = "new_child" // a token the harness had not seen: a sibling

	Rejected = "rejected"
	Accepted = "accepted"
)

// Grace is the grace window estimate: strict when even an immediate
// retry is rejected; window [LowerMS, UpperMS] between the last accepted
// and the first rejected delay; at_least LowerMS when every delay up to the
// maximum was accepted; unknown when the experiment was inconclusive.
type Grace struct {
	Kind    string `json:"kind"`
	LowerMS int64  `json:"lower_ms"`
	UpperMS *int64 `json:"upper_ms"`
	Text    string `json:"text"`
}

// upper is the window's end for waiting purposes.
func (g Grace) upper() time.Duration {
	if g.UpperMS != nil {
		return time.Duration(*g.UpperMS) * time.Millisecond
	}
	return time.Duration(g.LowerMS) * time.Millisecond
}

// Concurrency sums up the concurrent-duplicate bursts.
type Concurrency struct {
	// Forks is true when a burst left more than one live child where the
	// observed policy allows one.
	Forks bool `json:"forks"`
	// MaxLiveChildren is the most live children one burst left.
	MaxLiveChildren int `json:"max_live_children"`
	// RaceLogouts counts bursts after which no child of the family worked:
	// user impact (the two-tabs case logs the user out), not by itself a
	// weakness; the oracle decides whether the declared policy forbade it.
	RaceLogouts int `json:"race_logouts"`
	Rounds      int `json:"rounds"`
}

// CSRFSummary is the outcome of each CSRF variant: rejected, accepted
// or unknown; SideEffectFree is null when no rejection could be checked.
type CSRFSummary struct {
	Missing        string `json:"missing"`
	Wrong          string `json:"wrong"`
	OtherFamily    string `json:"other_family"`
	SideEffectFree *bool  `json:"side_effect_free"`
}

// Finding is one violation (Key is a fail_* outcome name) or
// weakness (Key is a snake_case name).
type Finding struct {
	Key        string `json:"key"`
	Experiment string `json:"experiment"`
	Detail     string `json:"detail"`
}

// Experiments are the raw observations.
type Experiments struct {
	LostResponse      []RetryTrial      `json:"lost_response_retry"`
	Concurrent        []ConcurrentRound `json:"concurrent_duplicates"`
	ParentReplay      []ReplayTrial     `json:"parent_replay"`
	GrandparentReplay []ReplayTrial     `json:"grandparent_replay"`
	CSRF              []CSRFTrial       `json:"csrf"`
}

// RetryTrial: refresh T0→T1, read T1, present T0 again after the delay.
type RetryTrial struct {
	DelayMS  int64  `json:"delay_ms"`
	Status   int    `json:"status"`
	Error    string `json:"error"`
	Accepted bool   `json:"accepted"`
	// Got is child (T1 again), new_child (a sibling) or none.
	Got string `json:"got"`
	// ChildWorks: T1 still refreshes afterwards (null: not checked).
	ChildWorks *bool `json:"child_works"`
	// DuplicateWorks: the duplicate's new child refreshes (new_child only).
	DuplicateWorks *bool `json:"duplicate_works"`
}

// ConcurrentRound is one burst of N refreshes of one token released
// on one start barrier.
type ConcurrentRound struct {
	N                int      `json:"n"`
	Round            int      `json:"round"`
	Statuses         []int    `json:"statuses"`
	ErrorCodes       []string `json:"error_codes"`
	Accepted         int      `json:"accepted"`
	DistinctChildren int      `json:"distinct_children"`
	LiveChildren     int      `json:"live_children"`
	// DeadChildren are extra children (not the first accepted one) that were
	// already dead when refreshed: 200s that logged their client out.
	DeadChildren int   `json:"dead_children"`
	SpreadUS     int64 `json:"spread_us"`
	Fork         bool  `json:"fork"`
}

// ReplayTrial: T0→T1→T2, then the parent (T1) or grandparent (T0) is
// presented after the delay; a rejection is followed by revocation checks
// of the newest token T2 and its access cookie, at once and again after
// the estimated window plus a margin.
type ReplayTrial struct {
	Presented string `json:"presented"`
	DelayMS   int64  `json:"delay_ms"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Accepted  bool   `json:"accepted"`
	// Got is child (the presented token's child), head (T2, when that is
	// not the child), new_child, or none.
	Got                 string `json:"got"`
	NewestAccessStatus  int    `json:"newest_access_status"`
	NewestRefreshStatus int    `json:"newest_refresh_status"`
	FamilyRevoked       *bool  `json:"family_revoked"`
	LaterWaitMS         int64  `json:"later_wait_ms"`
	LaterAccessStatus   int    `json:"later_access_status"`
	LaterRefreshStatus  int    `json:"later_refresh_status"`
	Zombie              *bool  `json:"zombie"`
}

// CSRFTrial is one refresh with a tampered CSRF header, then the same
// refresh cookie with the valid header.
type CSRFTrial struct {
	Variant     string `json:"variant"`
	Status      int    `json:"status"`
	Error       string `json:"error"`
	Accepted    bool   `json:"accepted"`
	CheckStatus int    `json:"check_status"`
	CheckError  string `json:"check_error"`
	// SideEffectFree: the same cookie still worked (null: not checked).
	SideEffectFree *bool `json:"side_effect_free"`
}

// Run runs the policy experiments against the target behind prof and
// returns its fingerprint. Experiments run one after another on fresh
// families, spread round-robin over creds; none uses more than two
// families at once, and each family is signed out afterwards when
// opt.SignOutURL is set (otherwise it is abandoned, and a server's family
// cap evicts the oldest abandoned ones first). Every loop is bounded in
// count, and every
// request by opt.Timeout. For the concurrent bursts the client's transport
// should keep at least 10 idle connections per host (see attack.NewTransport).
//
// An error means the probe could not run: the target is unreachable, a
// sign-in failed, or a fresh family could not be refreshed at all.
func Run(ctx context.Context, c *http.Client, prof targets.Profile, creds []targets.Credential, opt Options) (*Fingerprint, error) {
	switch {
	case c == nil:
		return nil, errors.New("discover: nil http client")
	case prof == nil:
		return nil, errors.New("discover: nil profile")
	case len(creds) == 0:
		return nil, errors.New("discover: no credentials")
	}
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	target := opt.Target
	if target == "" {
		target = prof.RefreshURL()
	}
	start := time.Now()
	d := &prober{c: c, prof: prof, creds: creds, opt: opt, lookedLater: map[string]bool{}}
	d.fp = &Fingerprint{
		Schema:        Schema,
		Target:        redactTarget(target),
		Profile:       prof.Name(),
		MaxDelayMS:    opt.MaxDelay.Milliseconds(),
		DeclaredReuse: opt.ExpectReuse.String(),
		Grace:         Grace{Kind: Unknown, Text: Unknown},
		Reuses:        []ReuseVerdict{},
		Violations:    []Finding{},
		Weaknesses:    []Finding{},
		Experiments: Experiments{
			LostResponse: []RetryTrial{}, Concurrent: []ConcurrentRound{},
			ParentReplay: []ReplayTrial{}, GrandparentReplay: []ReplayTrial{},
			CSRF: []CSRFTrial{},
		},
	}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"cookie attributes", d.cookieExperiment},
		{"lost-response retry at growing delays", d.retryExperiment},
		{"concurrent duplicates", d.concurrentExperiment},
		{"parent replay", d.parentReplayExperiment},
		{"grandparent replay", d.grandparentReplayExperiment},
		{"stale cookie", d.staleExperiment},
		{"CSRF variants", d.csrfExperiment},
	}
	for i, s := range steps {
		d.progress("[%d/%d] %s", i+1, len(steps), s.name)
		if err := s.run(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("discover: %s: %w", s.name, ctx.Err())
			}
			return nil, fmt.Errorf("discover: %s: %w", s.name, err)
		}
	}
	d.summarize()
	d.fp.ElapsedMS = time.Since(start).Milliseconds()
	return d.fp, nil
}

// prober carries one discovery's state. Tokens live here, in memory
// only; nothing of them reaches the Fingerprint.
type prober struct {
	c     *http.Client
	prof  targets.Profile
	creds []targets.Credential
	opt   Options
	next  int // round-robin credential index
	fp    *Fingerprint

	// dupModel is what the lost-response retry showed a duplicate gets
	// (GotChild, GotNewChild), "" for strict, Unknown if inconclusive.
	dupModel string
	// pending are lost-response judgements waiting for the measured window.
	pending []func()
	// retryRejectedAt is the first delay at which the retry was rejected
	// (-1: never).
	retryRejectedAt time.Duration
	// lookedLater: ways whose revocation already had its second look.
	lookedLater map[string]bool
}

func (d *prober) progress(format string, args ...any) {
	if d.opt.Progress != nil {
		d.opt.Progress(fmt.Sprintf(format, args...))
	}
}

func (d *prober) violation(key, experiment, format string, args ...any) {
	d.fp.Violations = addFinding(d.fp.Violations, Finding{Key: key, Experiment: experiment, Detail: fmt.Sprintf(format, args...)})
}

func (d *prober) weakness(key, experiment, format string, args ...any) {
	d.fp.Weaknesses = addFinding(d.fp.Weaknesses, Finding{Key: key, Experiment: experiment, Detail: fmt.Sprintf(format, args...)})
}

// addFinding appends f unless the same key was already found by the same
// experiment (the first detail is kept).
func addFinding(list []Finding, f Finding) []Finding {
	for _, g := range list {
		if g.Key == f.Key && g.Experiment == f.Experiment {
			return list
		}
	}
	return append(list, f)
}

// redactTarget drops userinfo, query and fragment from a URL label.
func redactTarget(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return s
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	return u.String()
}

// delaySchedule is the growing delay schedule: the fixed steps below max,
// then max itself.
func delaySchedule(limit time.Duration) []time.Duration {
	steps := []time.Duration{
		0, 100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second,
		30 * time.Second, 45 * time.Second, 60 * time.Second, 90 * time.Second,
		2 * time.Minute, 3 * time.Minute, 5 * time.Minute, 7 * time.Minute,
	}
	var out []time.Duration
	for _, s := range steps {
		if s < limit {
			out = append(out, s)
		}
	}
	return append(out, limit)
}

func boolPtr(b bool) *bool { return &b }

func millis(d time.Duration) int64 { return d.Milliseconds() }

// flush runs the judgements that waited for the grace window estimate.
func (d *prober) flush() {
	for _, f := range d.pending {
		f()
	}
	d.pending = nil
}
