package probe

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// secrets records every token value a target hands out or the harness
// sends, so a test can check that none reaches the fingerprint.
type secrets struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen map[string]bool
}

func (s *secrets) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	for _, v := range req.Header.Values("X-Csrf-Token") {
		s.seen[v] = true
	}
	s.mu.Unlock()
	resp, err := s.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	s.mu.Lock()
	for _, c := range resp.Cookies() {
		if c.Value != "" {
			s.seen[c.Value] = true
		}
	}
	s.mu.Unlock()
	return resp, nil
}

func (s *secrets) values() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for v := range s.seen {
		out = append(out, v)
	}
	return out
}

// probeRun is one Run against the embedded authserver, started
// at once in its own goroutine: the experiments mostly sleep, so running
// every case together keeps the test's wall time near the slowest case
// (t.Parallel alone is capped at GOMAXPROCS subtests).
type probeRun struct {
	done chan struct{}
	fp   *Fingerprint
	sec  *secrets
	err  error
}

// startDiscover starts the authserver with serverPolicy on 127.0.0.1 and
// runs Run against it, with delays up to 3s, in the background.
func startDiscover(t *testing.T, serverPolicy string, expect oracle.ReuseAction) *probeRun {
	t.Helper()
	return startProbe(t, serverPolicy, Options{ExpectReuse: expect})
}

// startProbe is startDiscover with options: MaxDelay and Timeout default
// to 3s and 5s, and the sign-out URL and target are the server's.
func startProbe(t *testing.T, serverPolicy string, opt Options) *probeRun {
	t.Helper()
	sp, err := authserver.ParsePolicy(serverPolicy)
	if err != nil {
		t.Fatal(err)
	}
	users := authserver.DemoUsers(4)
	srv, err := authserver.Start("127.0.0.1:0", authserver.Config{Policy: sp, Users: users})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	var creds []targets.Credential
	for i := 1; i <= len(users); i++ {
		id := fmt.Sprintf("user-%04d", i)
		creds = append(creds, targets.Credential{Identifier: id, Password: users[id]})
	}
	prof, err := targets.NewCookieProfile(targets.CookieConfig{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	tr := attack.NewTransport(32)
	t.Cleanup(tr.CloseIdleConnections)
	run := &probeRun{done: make(chan struct{}), sec: &secrets{next: tr, seen: map[string]bool{}}}
	for _, pw := range users {
		run.sec.seen[pw] = true
	}
	c := &http.Client{Transport: run.sec, Timeout: 5 * time.Second}
	go func() {
		defer close(run.done)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		opt.MaxDelay = cmp.Or(opt.MaxDelay, 3*time.Second)
		opt.Timeout = cmp.Or(opt.Timeout, 5*time.Second)
		opt.SignOutURL, opt.Target = srv.URL+authserver.PathSignOut, srv.URL
		run.fp, run.err = Run(ctx, c, prof, creds, opt)
	}()
	t.Cleanup(func() { <-run.done })
	return run
}

func TestDiscoverFingerprintsPolicies(t *testing.T) {
	type check func(t *testing.T, fp *Fingerprint)
	grace := func(kind string, lower, upper int64) check {
		return func(t *testing.T, fp *Fingerprint) {
			t.Helper()
			g := fp.Grace
			if g.Kind != kind || (kind != GraceStrict && g.LowerMS != lower) ||
				(upper >= 0 && (g.UpperMS == nil || *g.UpperMS != upper)) {
				t.Errorf("grace = %+v (upper %v), want %s [%d, %d]", g, g.UpperMS, kind, lower, upper)
			}
		}
	}
	field := func(name string, get func(*Fingerprint) string, want string) check {
		return func(t *testing.T, fp *Fingerprint) {
			t.Helper()
			if got := get(fp); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
	}
	users := func(w string) check {
		return field("window_users", func(f *Fingerprint) string { return f.WindowUsers }, w)
	}
	dup := func(w string) check {
		return field("duplicate_gets", func(f *Fingerprint) string { return f.DuplicateGets }, w)
	}
	reuse := func(w string) check { return field("reuse", func(f *Fingerprint) string { return f.Reuse }, w) }
	revocation := func(w string) check {
		return field("revocation", func(f *Fingerprint) string { return f.Revocation }, w)
	}
	csrf := func(w string) check {
		return field("csrf", func(f *Fingerprint) string {
			return f.CSRF.Missing + "," + f.CSRF.Wrong + "," + f.CSRF.OtherFamily
		}, w+","+w+","+w)
	}
	weakness := func(key string) check {
		return func(t *testing.T, fp *Fingerprint) {
			t.Helper()
			if !fp.HasWeakness(key) {
				t.Errorf("weaknesses %+v lack %s", fp.Weaknesses, key)
			}
		}
	}
	way := func(name, wantRev string) check {
		return func(t *testing.T, fp *Fingerprint) {
			t.Helper()
			for _, v := range fp.Reuses {
				if v.Way == name && v.Revocation != wantRev {
					t.Errorf("%s revocation = %q, want %q", name, v.Revocation, wantRev)
				}
				if v.Way == name {
					return
				}
			}
			t.Errorf("no reuse verdict for %s", name)
		}
	}
	revokedSome := func(name string) check {
		return func(t *testing.T, fp *Fingerprint) {
			t.Helper()
			for _, v := range fp.Reuses {
				if v.Way == name && v.Revoked > 0 {
					return
				}
			}
			t.Errorf("%s never revoked the family", name)
		}
	}
	cases := []struct {
		policy     string
		expect     oracle.ReuseAction
		violations []string // exactly these, in any order
		checks     []check
	}{
		{policy: "strict", checks: []check{grace(GraceStrict, 0, -1), users(None), dup(None),
			reuse(RevokeFamily), revocation(Durable), csrf(Rejected), weakness("lost_response_logout")}},
		{policy: "strict,reuse=reject", expect: oracle.ReuseReject, checks: []check{grace(GraceStrict, 0, -1),
			reuse(RejectOnly), revocation(None), weakness("reuse_rejected_only")}},
		{policy: "grace=1s", checks: []check{grace(GraceWindow, 500, 1000), users(ParentOnly),
			dup(SameChildOrHead), reuse(RevokeFamily), revocation(Durable)}},
		{policy: "grace=1s,dup=sibling", checks: []check{grace(GraceWindow, 500, 1000), users(ParentOnly),
			dup(Sibling), reuse(RevokeFamily)}},
		{policy: "grace=1s,dup=current-head", checks: []check{grace(GraceWindow, 500, 1000), users(ParentOnly),
			dup(SameChildOrHead), reuse(RevokeFamily)}},
		{policy: "strict,defect=non-atomic", violations: []string{"fail_fork"}, checks: []check{grace(GraceStrict, 0, -1)}},
		{policy: "strict,defect=reuse-no-revoke", violations: []string{"fail_revocation_missing"}, checks: []check{reuse(RejectOnly)}},
		{policy: "strict,defect=zombie,zombie-after=800ms", violations: []string{"fail_zombie_family"}, checks: []check{revocation(Zombie)}},
		{policy: "strict,defect=no-csrf", violations: []string{"fail_csrf_bypass"}, checks: []check{csrf(Accepted)}},
		{policy: "strict,defect=csrf-consumes", violations: []string{"fail_csrf_side_effect"}, checks: []check{csrf(Rejected)}},
		{policy: "grace=1s,defect=grace-any-ancestor", violations: []string{"fail_replay_accepted"},
			checks: []check{grace(GraceWindow, 500, 1000), users(AnyAncestor), dup(SameChild)}},
		{policy: "grace=1s,dup=current-head,defect=grace-any-ancestor", violations: []string{"fail_replay_accepted"},
			checks: []check{users(AnyAncestor), dup(CurrentHead)}},
		{policy: "strict,defect=revoke-on-concurrent-only", violations: []string{"fail_revocation_missing"},
			checks: []check{revocation(DependsOnWay), revokedSome(WayConcurrent), way(WayLostResponse, RevokedNot),
				way(WayParent, RevokedNot), way(WayGrandparent, RevokedNot), way(WayStale, RevokedNot)}},
		{policy: "strict", expect: oracle.ReuseReject, checks: []check{weakness("revoked_against_policy"), way(WayParent, RevokedBoth)}},
		{policy: "strict,defect=accept-rotated", violations: []string{"fail_fork", "fail_replay_accepted"},
			checks: []check{grace(GraceAtLeast, 3000, -1), users(AnyAncestor), reuse(NeverRejected)}},
	}
	runs := make([]*probeRun, len(cases))
	for i, tc := range cases {
		runs[i] = startDiscover(t, tc.policy, tc.expect)
	}
	for i, tc := range cases {
		t.Run(tc.policy, func(t *testing.T) {
			t.Parallel()
			run := runs[i]
			<-run.done
			if run.err != nil {
				t.Fatal(run.err)
			}
			fp, sec := run.fp, run.sec
			var got []string
			for _, v := range fp.Violations {
				// Whether a forked burst also leaves a dead child depends on
				// the order the server handled it in (see the agreement test).
				orphan := v.Key == oracle.FailOrphanChild.String() && slices.Contains(tc.violations, "fail_fork")
				if !slices.Contains(got, v.Key) && !orphan {
					got = append(got, v.Key)
				}
			}
			slices.Sort(got)
			want := slices.Clone(tc.violations)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("violations = %v, want %v:\n%s", got, want, fingerprintText(fp))
			}
			if wantVerdict := map[bool]string{true: "fail", false: "pass"}[len(want) > 0]; fp.Verdict != wantVerdict {
				t.Errorf("verdict %q, want %q", fp.Verdict, wantVerdict)
			}
			for _, c := range tc.checks {
				c(t, fp)
			}
			if !fp.Cookies.OK {
				t.Errorf("cookies not OK: %+v", fp.Cookies)
			}
			js, err := json.Marshal(fp)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sec.values() {
				if bytes.Contains(js, []byte(s)) {
					t.Errorf("fingerprint JSON contains a secret the server issued or the harness sent")
				}
			}
			if t.Failed() {
				t.Logf("\n%s", fingerprintText(fp))
			}
		})
	}
}

func fingerprintText(fp *Fingerprint) string {
	var b strings.Builder
	_ = fp.WriteText(&b)
	return b.String()
}

func TestDiscoverCookieAttributes(t *testing.T) {
	t.Parallel()
	const tok = "tok-value"
	cases := []struct {
		line     string
		refresh  bool
		problems []string
		notes    []string
	}{
		{"__Host-refresh=tok-value; Path=/; HttpOnly; Secure; SameSite=Lax", true, []string{}, []string{}},
		{"__Host-refresh=tok-value; Path=/api; Domain=example.com; SameSite=None", true,
			[]string{"lacks Secure", "lacks HttpOnly", "has Path=/api, not /", "carries Domain=example.com"}, []string{noteSameSiteNone}},
		{"rt=tok-value; Path=/; Secure; HttpOnly", true, []string{}, []string{noteNoSameSite}},
		{"__Host-access=tok-value; Path=/; Secure; SameSite=Strict", false, []string{}, []string{noteScriptable}},
		{"__Secure-access=tok-value; HttpOnly; SameSite=Lax", false, []string{"lacks Secure"}, []string{}},
		{"access=tok-value; HttpOnly; SameSite=Lax", false, []string{}, []string{}},
		{"other=x; Path=/", true, []string{}, []string{noteMissing}},
	}
	for _, tc := range cases {
		c := findCookie([]string{"unrelated=1; Path=/", tc.line}, tok, tc.refresh)
		if !slices.Equal(c.Problems, tc.problems) || !slices.Equal(c.Notes, tc.notes) {
			t.Errorf("%q: problems %q notes %q, want %q %q", tc.line, c.Problems, c.Notes, tc.problems, tc.notes)
		}
	}
}

func TestDiscoverDelaysAndOptions(t *testing.T) {
	t.Parallel()
	got := delaySchedule(3 * time.Second)
	want := []time.Duration{0, 100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 3 * time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("delays(3s) = %v, want %v", got, want)
	}
	if got := delaySchedule(35 * time.Second); got[len(got)-1] != 35*time.Second || got[len(got)-2] != 30*time.Second {
		t.Errorf("delays(35s) = %v", got)
	}
	for _, o := range []Options{{MaxDelay: -time.Second}, {MaxDelay: time.Hour}, {Rounds: 11}, {Timeout: -1}} {
		if _, err := o.withDefaults(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if got := redactTarget("https://u:p@example.com/x?token=1#f"); got != "https://example.com/x" {
		t.Errorf("redact = %q", got)
	}
	if got := cleanCode(`refresh_token_reused"<script>` + strings.Repeat("x", 100)); got != "refresh_token_reusedscript"+strings.Repeat("x", 38) {
		t.Errorf("clean code = %q", got)
	}
	if got := parseRetryAfter("3"); got != 3*time.Second {
		t.Errorf("Retry-After 3 = %v", got)
	}
	if got := parseRetryAfter("soon"); got != 0 {
		t.Errorf("Retry-After soon = %v", got)
	}
	_, err := Run(context.Background(), http.DefaultClient, nil, nil, Options{})
	if err == nil {
		t.Error("Run without a profile: no error")
	}
}
