package oracle

import (
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/policyspec"
)

func TestJudge(t *testing.T) {
	strict := Policy{}
	grace := Policy{Grace: 10 * time.Second}
	const margin = 250 * time.Millisecond
	head := Attempt{Family: "f1", Token: "t0"}
	parent := func(who Who, age time.Duration) Attempt {
		return Attempt{Presented: PresentedParent, Who: who, Age: age, Family: "f1", Token: "t0", KnownChild: "c1", KnownHead: "h9"}
	}
	ok := func(refresh string) Reply {
		return Reply{Status: 200, NewRefresh: refresh, NewAccess: "a", FamilyID: "f1"}
	}
	reused := Reply{Status: 401, ErrorCode: "refresh_token_reused"}

	cases := []struct {
		name    string
		a       Attempt
		p       Policy
		r       Reply
		want    Outcome
		logout  bool
		suspect bool
	}{
		{"rotation", head, strict, ok("t1"), OKRotated, false, false},
		{"200 without cookie", head, strict, Reply{Status: 200, FamilyID: "f1"}, FailBadResponse, false, false},
		{"200 same token", head, strict, ok("t0"), FailBadResponse, false, false},
		{"undecodable body", head, strict, Reply{Status: 200, NewRefresh: "t1", Malformed: "body is not JSON"}, FailBadResponse, false, false},
		{"other family", head, strict, Reply{Status: 200, NewRefresh: "t1", FamilyID: "f2"}, FailBadResponse, false, false},
		{"insecure cookie", head, strict, Reply{Status: 200, NewRefresh: "t1", CookieProblem: "refresh cookie lacks Secure"}, FailCookieAttrs, false, false},
		{"head rejected", head, strict, Reply{Status: 401}, FailUnexpectedLogout, false, false},
		{"429", head, strict, Reply{Status: 429}, RateLimited, false, false},
		{"503", head, strict, Reply{Status: 503}, RetryableConflict, false, false},
		{"409", head, strict, Reply{Status: 409}, RetryableConflict, false, false},
		{"500", head, strict, Reply{Status: 500}, FailServerError, false, false},
		{"404", head, strict, Reply{Status: 404}, FailBadResponse, false, false},
		{"transport", head, strict, Reply{NoResponse: true}, TransportError, false, false},
		{"timeout", head, strict, Reply{NoResponse: true, Timeout: true}, Timeout, false, false},
		{"csrf missing rejected", Attempt{CSRF: CSRFMissing, Token: "t0"}, strict, Reply{Status: 403, ErrorCode: "csrf_required"}, RejCSRF, false, false},
		{"csrf bypass", Attempt{CSRF: CSRFWrong, Token: "t0"}, strict, ok("t1"), FailCSRFBypass, false, false},
		{"strict retry rejected", parent(Retry, 100*time.Millisecond), strict, reused, RejReuse, true, true},
		{"strict dup rejected", parent(Duplicate, 0), strict, reused, RejReuse, true, true},
		{"strict replay rejected", parent(Attacker, 2*time.Second), strict, reused, RejReuse, false, true},
		{"strict replay accepted", parent(Attacker, 2*time.Second), strict, ok("x"), FailReplayAccepted, false, false},
		{"grace same child", parent(Retry, time.Second), grace, ok("c1"), OKGraceSameChild, false, false},
		{"grace current head", parent(Duplicate, time.Second), grace, ok("h9"), OKGraceCurrentHead, false, false},
		{"grace sibling", parent(Duplicate, time.Second), grace, ok("s2"), OKGraceSibling, false, false},
		{"grace retry rejected", parent(Retry, time.Second), grace, reused, FailLostResponseLogout, true, false},
		{"grace dup rejected", parent(Duplicate, time.Second), grace, reused, FailFalsePositiveReuse, true, false},
		{"grace stale rejected", parent(Stale, time.Second), grace, reused, FailFalsePositiveReuse, false, false},
		{"grace edge", parent(Attacker, 10*time.Second), grace, ok("x"), Indeterminate, false, false},
		{"after grace accepted", parent(Attacker, 11*time.Second), grace, ok("x"), FailReplayAccepted, false, false},
		{"after grace rejected", parent(Attacker, 11*time.Second), grace, reused, RejReuse, false, true},
		{"grandparent inside grace accepted", Attempt{Presented: PresentedAncestor, Who: Attacker, Age: time.Second, Token: "g"}, grace, ok("x"), FailReplayAccepted, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := Judge(c.a, c.p, margin, c.r)
			if j.Outcome != c.want {
				t.Fatalf("outcome %s (%s), want %s", j.Outcome, j.Detail, c.want)
			}
			if j.RaceLogout != c.logout || j.SuspectReuse != c.suspect {
				t.Fatalf("race logout %v suspect %v, want %v %v", j.RaceLogout, j.SuspectReuse, c.logout, c.suspect)
			}
			if j.Detail == "" {
				t.Fatal("no detail")
			}
		})
	}
}

func TestJudgeProbe(t *testing.T) {
	cases := []struct {
		alive bool
		r     Reply
		want  Outcome
	}{
		{false, Reply{Status: 401}, RejRevokedFamily},
		{false, Reply{Status: 200, NewRefresh: "x"}, FailRevocationMissing},
		{true, Reply{Status: 200, NewRefresh: "x"}, OKRotated},
		{true, Reply{Status: 401}, FailRevocationMissing},
		{false, Reply{NoResponse: true}, TransportError},
		{false, Reply{Status: 502}, FailServerError},
	}
	for _, c := range cases {
		if got := JudgeProbe(c.alive, FailRevocationMissing, c.r).Outcome; got != c.want {
			t.Errorf("alive=%v %+v: %s, want %s", c.alive, c.r, got, c.want)
		}
	}
}

func TestParsePolicy(t *testing.T) {
	good := map[string]Policy{
		"":                           {},
		"strict":                     {},
		"grace=10s":                  {Grace: 10 * time.Second},
		"grace=1.5s,reuse=reject":    {Grace: 1500 * time.Millisecond, Reuse: ReuseReject},
		"strict,reuse=revoke-family": {},
		"grace=2s,dup=sibling":       {Grace: 2 * time.Second, Dup: policyspec.DupSibling},
	}
	for in, want := range good {
		got, err := ParsePolicy(in)
		if err != nil || got != want {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParsePolicy(got.String()); err != nil || back != got {
			t.Errorf("round trip of %q: %+v %v", in, back, err)
		}
	}
	for _, bad := range []string{"lenient", "grace=", "grace=ten", "grace=-1s", "strict,reuse=ignore", "strict,foo=bar", "reuse=reject", "strict,defect=zombie", "strict,family-cap=3"} {
		if _, err := ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%q) accepted", bad)
		}
	}
}

func TestOutcomeNamesStable(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range AllOutcomes() {
		n := o.String()
		if seen[n] || n == "" || o.Meaning() == "" {
			t.Fatalf("outcome %d: name %q duplicate or empty meaning", o, n)
		}
		seen[n] = true
		if back, ok := ParseOutcome(n); !ok || back != o {
			t.Fatalf("ParseOutcome(%q)", n)
		}
	}
	if len(seen) != 29 {
		t.Fatalf("%d outcomes, the README names 29", len(seen))
	}
	if !FailFork.IsFailure() || OKRotated.IsFailure() || Timeout.Category() != Undecided || RejCSRF.Category() != Rejected {
		t.Fatal("categories wrong")
	}
}
