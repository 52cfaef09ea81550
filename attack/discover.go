package attack

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

// Policy discovery (`refreshstorm probe`): deterministic single-session
// experiments, each on a fresh family, that fingerprint a target's rotation
// policy (DESIGN §2) and list the invariants it violates (DESIGN §3 fail_*
// names). It is independent of the load engine: it only needs an
// http.Client, a profile and credentials.

// DiscoverSchema versions the JSON form of a Fingerprint.
const DiscoverSchema = "refreshstorm/probe/v1"

// Discovery defaults and bounds.
const (
	DefaultDiscoverMaxDelay     = 35 * time.Second
	DefaultDiscoverTimeout      = 10 * time.Second
	DefaultDiscoverRounds       = 3
	DefaultDiscoverZombieMargin = time.Second
	// MaxDiscoverDelay bounds --max-delay, so that a probe ends in minutes.
	MaxDiscoverDelay = 10 * time.Minute
	// MaxDiscoverRounds bounds the concurrent-duplicate rounds per N.
	MaxDiscoverRounds = 10
)

// DiscoverOptions shape a discovery.
type DiscoverOptions struct {
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

func (o DiscoverOptions) withDefaults() (DiscoverOptions, error) {
	if o.MaxDelay == 0 {
		o.MaxDelay = DefaultDiscoverMaxDelay
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultDiscoverTimeout
	}
	if o.Rounds == 0 {
		o.Rounds = DefaultDiscoverRounds
	}
	if o.ZombieMargin == 0 {
		o.ZombieMargin = DefaultDiscoverZombieMargin
	}
	switch {
	case o.MaxDelay < 0 || o.MaxDelay > MaxDiscoverDelay:
		return o, fmt.Errorf("max delay %v: want more than 0 and at most %v", o.MaxDelay, MaxDiscoverDelay)
	case o.Timeout < 0:
		return o, fmt.Errorf("timeout %v is negative", o.Timeout)
	case o.Rounds < 1 || o.Rounds > MaxDiscoverRounds:
		return o, fmt.Errorf("rounds %d: want 1..%d", o.Rounds, MaxDiscoverRounds)
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
	Grace ProbeGrace `json:"grace"`
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
	Revocation string            `json:"revocation"`
	Concurrent ProbeConcurrency  `json:"concurrent"`
	CSRF       ProbeCSRFSummary  `json:"csrf"`
	Cookies    ProbeCookieReport `json:"cookies"`

	Violations  []ProbeFinding   `json:"violations"`
	Weaknesses  []ProbeFinding   `json:"weaknesses"`
	Experiments ProbeExperiments `json:"experiments"`
	// Verdict is fail when any invariant is violated, pass otherwise.
	Verdict string `json:"verdict"`
}

// Violated reports whether any invariant was violated.
func (f *Fingerprint) Violated() bool { return len(f.Violations) > 0 }

// HasViolation reports whether the named fail_* outcome was found.
func (f *Fingerprint) HasViolation(key string) bool { return discHasFinding(f.Violations, key) }

// HasWeakness reports whether the named weakness was found.
func (f *Fingerprint) HasWeakness(key string) bool { return discHasFinding(f.Weaknesses, key) }

func discHasFinding(list []ProbeFinding, key string) bool {
	for _, v := range list {
		if v.Key == key {
			return true
		}
	}
	return false
}

// Values of the fingerprint's enumerations.
const (
	ProbeGraceStrict  = "strict"
	ProbeGraceWindow  = "window"
	ProbeGraceAtLeast = "at_least"
	ProbeUnknown      = "unknown"
	ProbeNone         = "none"

	ProbeParentOnly  = "parent_only"
	ProbeAnyAncestor = "any_ancestor"

	ProbeSameChild       = "same_child"
	ProbeCurrentHead     = "current_head"
	ProbeSameChildOrHead = "same_child_or_current_head"
	ProbeSibling         = "sibling"

	ProbeRevokeFamily  = "revoke_family"
	ProbeRejectOnly    = "reject_only"
	ProbeNeverRejected = "never_rejected"

	ProbeDurable = "durable"
	ProbeZombie  = "zombie"
	ProbePartial = "partial"

	// What a duplicate or replay was answered with (Got fields).
	ProbeGotNone     = "none"      // rejected or undecided
	ProbeGotChild    = "child"     // the presented token's child (for a parent: also the head)
	ProbeGotHead     = "head"      // the family's current head, not the presented token's child
	ProbeGotNewChild = "new_child" // a token the harness had not seen: a sibling

	ProbeRejected = "rejected"
	ProbeAccepted = "accepted"
)

// ProbeGrace is the grace window estimate: strict when even an immediate
// retry is rejected; window [LowerMS, UpperMS] between the last accepted
// and the first rejected delay; at_least LowerMS when every delay up to the
// maximum was accepted; unknown when the experiment was inconclusive.
type ProbeGrace struct {
	Kind    string `json:"kind"`
	LowerMS int64  `json:"lower_ms"`
	UpperMS *int64 `json:"upper_ms"`
	Text    string `json:"text"`
}

// upper is the window's end for waiting purposes.
func (g ProbeGrace) upper() time.Duration {
	if g.UpperMS != nil {
		return time.Duration(*g.UpperMS) * time.Millisecond
	}
	return time.Duration(g.LowerMS) * time.Millisecond
}

// ProbeConcurrency sums up the concurrent-duplicate bursts.
type ProbeConcurrency struct {
	// Forks is true when a burst left more than one live child where the
	// observed policy allows one.
	Forks bool `json:"forks"`
	// MaxLiveChildren is the most live children one burst left.
	MaxLiveChildren int `json:"max_live_children"`
	// Logouts counts bursts after which no child of the family worked.
	Logouts int `json:"logouts"`
	Rounds  int `json:"rounds"`
}

// ProbeCSRFSummary is the outcome of each CSRF variant: rejected, accepted
// or unknown; SideEffectFree is null when no rejection could be checked.
type ProbeCSRFSummary struct {
	Missing        string `json:"missing"`
	Wrong          string `json:"wrong"`
	OtherFamily    string `json:"other_family"`
	SideEffectFree *bool  `json:"side_effect_free"`
}

// ProbeFinding is one violation (Key is a DESIGN §3 fail_* name) or
// weakness (Key is a snake_case name).
type ProbeFinding struct {
	Key        string `json:"key"`
	Experiment string `json:"experiment"`
	Detail     string `json:"detail"`
}

// ProbeExperiments are the raw observations.
type ProbeExperiments struct {
	LostResponse      []ProbeRetryTrial      `json:"lost_response_retry"`
	Concurrent        []ProbeConcurrentRound `json:"concurrent_duplicates"`
	ParentReplay      []ProbeReplayTrial     `json:"parent_replay"`
	GrandparentReplay []ProbeReplayTrial     `json:"grandparent_replay"`
	CSRF              []ProbeCSRFTrial       `json:"csrf"`
}

// ProbeRetryTrial: refresh T0→T1, read T1, present T0 again after the delay.
type ProbeRetryTrial struct {
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

// ProbeConcurrentRound is one burst of N refreshes of one token released
// on one start barrier.
type ProbeConcurrentRound struct {
	N                int      `json:"n"`
	Round            int      `json:"round"`
	Statuses         []int    `json:"statuses"`
	ErrorCodes       []string `json:"error_codes"`
	Accepted         int      `json:"accepted"`
	DistinctChildren int      `json:"distinct_children"`
	LiveChildren     int      `json:"live_children"`
	SpreadUS         int64    `json:"spread_us"`
	Fork             bool     `json:"fork"`
}

// ProbeReplayTrial: T0→T1→T2, then the parent (T1) or grandparent (T0) is
// presented after the delay; a rejection is followed by revocation checks
// of the newest token T2 and its access cookie, at once and again after
// the estimated window plus a margin.
type ProbeReplayTrial struct {
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

// ProbeCSRFTrial is one refresh with a tampered CSRF header, then the same
// refresh cookie with the valid header.
type ProbeCSRFTrial struct {
	Variant     string `json:"variant"`
	Status      int    `json:"status"`
	Error       string `json:"error"`
	Accepted    bool   `json:"accepted"`
	CheckStatus int    `json:"check_status"`
	CheckError  string `json:"check_error"`
	// SideEffectFree: the same cookie still worked (null: not checked).
	SideEffectFree *bool `json:"side_effect_free"`
}

// Discover runs the policy experiments against the target behind prof and
// returns its fingerprint. Experiments run one after another on fresh
// families, spread round-robin over creds; none uses more than two
// families at once, and each family is signed out afterwards when
// opt.SignOutURL is set (otherwise it is abandoned, and a server's family
// cap evicts the oldest abandoned ones first). Every loop is bounded in
// count, and every
// request by opt.Timeout. For the concurrent bursts the client's transport
// should keep at least 10 idle connections per host (see NewTransport).
//
// An error means the probe could not run: the target is unreachable, a
// sign-in failed, or a fresh family could not be refreshed at all.
func Discover(ctx context.Context, c *http.Client, prof targets.Profile, creds []targets.Credential, opt DiscoverOptions) (*Fingerprint, error) {
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
	d := &discoverer{c: c, prof: prof, creds: creds, opt: opt}
	d.fp = &Fingerprint{
		Schema:        DiscoverSchema,
		Target:        discRedactTarget(target),
		Profile:       prof.Name(),
		MaxDelayMS:    opt.MaxDelay.Milliseconds(),
		DeclaredReuse: opt.ExpectReuse.String(),
		Grace:         ProbeGrace{Kind: ProbeUnknown, Text: ProbeUnknown},
		Violations:    []ProbeFinding{},
		Weaknesses:    []ProbeFinding{},
		Experiments: ProbeExperiments{
			LostResponse: []ProbeRetryTrial{}, Concurrent: []ProbeConcurrentRound{},
			ParentReplay: []ProbeReplayTrial{}, GrandparentReplay: []ProbeReplayTrial{},
			CSRF: []ProbeCSRFTrial{},
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

// discoverer carries one discovery's state. Tokens live here, in memory
// only; nothing of them reaches the Fingerprint.
type discoverer struct {
	c     *http.Client
	prof  targets.Profile
	creds []targets.Credential
	opt   DiscoverOptions
	next  int // round-robin credential index
	fp    *Fingerprint

	// dupModel is what the lost-response retry showed a duplicate gets
	// (ProbeGotChild, ProbeGotNewChild), "" for strict, ProbeUnknown if inconclusive.
	dupModel string
	// retryRejectedAt is the first delay at which the retry was rejected
	// (-1: never).
	retryRejectedAt time.Duration
}

func (d *discoverer) progress(format string, args ...any) {
	if d.opt.Progress != nil {
		d.opt.Progress(fmt.Sprintf(format, args...))
	}
}

func (d *discoverer) violation(key, experiment, format string, args ...any) {
	d.fp.Violations = discAddFinding(d.fp.Violations, ProbeFinding{Key: key, Experiment: experiment, Detail: fmt.Sprintf(format, args...)})
}

func (d *discoverer) weakness(key, experiment, format string, args ...any) {
	d.fp.Weaknesses = discAddFinding(d.fp.Weaknesses, ProbeFinding{Key: key, Experiment: experiment, Detail: fmt.Sprintf(format, args...)})
}

// discAddFinding appends f unless the same key was already found by the same
// experiment (the first detail is kept).
func discAddFinding(list []ProbeFinding, f ProbeFinding) []ProbeFinding {
	for _, g := range list {
		if g.Key == f.Key && g.Experiment == f.Experiment {
			return list
		}
	}
	return append(list, f)
}

// discRedactTarget drops userinfo, query and fragment from a URL label.
func discRedactTarget(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return s
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	return u.String()
}

// discoverDelays is the growing delay schedule: the fixed steps below max,
// then max itself.
func discoverDelays(limit time.Duration) []time.Duration {
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

func discBool(b bool) *bool { return &b }

func discMS(d time.Duration) int64 { return d.Milliseconds() }
