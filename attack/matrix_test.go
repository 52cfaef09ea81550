package attack

import (
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

const allChaos = "lost-response=0.06,concurrent=0.06:3,replay=0.06:300ms,csrf=0.06,stale-cookie=0.06"

// tokenChaos is allChaos without CSRF tampering, which token profiles
// have no use for.
const tokenChaos = "lost-response=0.06,concurrent=0.06:3,replay=0.06:300ms,stale-cookie=0.06"

// eachProfile runs f as a parallel subtest per profile the embedded
// authserver speaks.
func eachProfile(t *testing.T, name string, f func(t *testing.T, profile string)) {
	for _, p := range rig.Profiles {
		t.Run(name+"/"+p, func(t *testing.T) {
			t.Parallel()
			f(t, p)
		})
	}
}

// TestCorrectPoliciesRaiseNoFalseAlarms runs every correct server policy
// under every chaos kind at once: the oracle must report no failure, and
// the chaos must really have happened.
func TestCorrectPoliciesRaiseNoFalseAlarms(t *testing.T) {
	cases := []struct{ server, declared string }{
		{"strict", "strict"},
		{"strict,reuse=reject", "strict,reuse=reject"},
		{"grace=1s", "grace=1s"},
		{"grace=1s,dup=sibling", "grace=1s"},
		{"grace=1s,dup=current-head", "grace=1s"},
	}
	for _, c := range cases {
		eachProfile(t, c.server, func(t *testing.T, profile string) {
			chaos, kinds := allChaos, []string{"lost-response", "concurrent", "replay", "csrf", "stale-cookie"}
			if profile != targets.KindCookie {
				chaos, kinds = tokenChaos, kinds[:3:3]
				kinds = append(kinds, "stale-cookie")
			}
			out := runAgainstAuthserver(t, runSpec{serverPolicy: c.server, declared: c.declared, chaos: chaos, profile: profile,
				sessions: 40, rate: 60, duration: 2 * time.Second, probeMargin: 300 * time.Millisecond})
			sum := out.summary
			wantNoFalseAlarms(t, sum)
			if sum.Outcomes[oracle.OKRotated] == 0 {
				t.Fatal("nothing rotated")
			}
			for _, kind := range kinds {
				if sum.Chaos.Injected[kind] == 0 {
					t.Errorf("no %s event injected", kind)
				}
			}
			if profile == targets.KindCookie && sum.Outcomes[oracle.RejCSRF] == 0 {
				t.Error("no CSRF tamper was rejected")
			}
			if c.declared == "strict" {
				if sum.Outcomes[oracle.RejReuse] == 0 || sum.Families[oracle.FamilyRevokedCorrectly] == 0 || sum.RaceLogouts.Count == 0 {
					t.Errorf("strict: rej_reuse %d revoked_correctly %d race_logouts %d, want all > 0",
						sum.Outcomes[oracle.RejReuse], sum.Families[oracle.FamilyRevokedCorrectly], sum.RaceLogouts.Count)
				}
			}
			if c.declared == "grace=1s" {
				grace := sum.Outcomes[oracle.OKGraceSameChild] + sum.Outcomes[oracle.OKGraceSibling] + sum.Outcomes[oracle.OKGraceCurrentHead]
				if grace == 0 {
					t.Error("grace: no duplicate was accepted inside the window")
				}
			}
			if sum.Verdict != "pass" {
				t.Errorf("verdict %s", sum.Verdict)
			}
		})
	}
}

// TestDefectsAreCaught runs each deliberate server defect under the chaos
// that exposes it: the matching failure must be reported and the verdict
// must fail.
func TestDefectsAreCaught(t *testing.T) {
	cases := []struct {
		server, declared, chaos string
		want                    oracle.Outcome
	}{
		{"strict,defect=non-atomic", "strict", "concurrent=0.3:4", oracle.FailFork},
		{"strict,defect=reuse-no-revoke", "strict", "replay=0.2:100ms", oracle.FailRevocationMissing},
		{"strict,defect=zombie", "strict", "replay=0.2:100ms", oracle.FailZombieFamily},
		{"strict,defect=no-csrf", "strict", "csrf=0.2", oracle.FailCSRFBypass},
		{"strict,defect=csrf-consumes", "strict", "csrf=0.2", oracle.FailCSRFSideEffect},
		{"grace=2s,defect=grace-any-ancestor", "grace=2s", "replay=0.2:200ms", oracle.FailReplayAccepted},
		{"strict,defect=accept-rotated", "strict", "replay=0.2:100ms", oracle.FailReplayAccepted},
		{"strict", "grace=2s", "lost-response=0.2:100ms", oracle.FailLostResponseLogout},
		{"strict", "grace=2s", "concurrent=0.2:2", oracle.FailFalsePositiveReuse},
	}
	for _, c := range cases {
		eachProfile(t, c.server+"/"+c.want.String(), func(t *testing.T, profile string) {
			if profile != targets.KindCookie && strings.HasPrefix(c.chaos, "csrf") {
				t.Skip("token profiles carry no CSRF token")
			}
			out := runAgainstAuthserver(t, runSpec{serverPolicy: c.server, declared: c.declared, chaos: c.chaos, profile: profile,
				sessions: 30, rate: 50, duration: 1500 * time.Millisecond, probeMargin: 500 * time.Millisecond})
			wantReported(t, out.summary, c.want)
		})
	}
}

func nonZero(counts []uint64) map[string]uint64 {
	m := map[string]uint64{}
	for o, n := range counts {
		if n > 0 {
			m[oracle.Outcome(o).String()] = n
		}
	}
	return m
}

// logOutcomes shows what a run against the authserver produced.
func logOutcomes(t *testing.T, sum *results.Summary) {
	t.Helper()
	t.Logf("outcomes %v families %v race_logouts %d injected %v", nonZero(sum.Outcomes[:]), sum.Families, sum.RaceLogouts.Count, sum.Chaos.Injected)
}

// wantNoFalseAlarms checks that a run against a server behaving as
// declared reported no failure.
func wantNoFalseAlarms(t *testing.T, sum *results.Summary) {
	t.Helper()
	logOutcomes(t, sum)
	if f := failures(sum); len(f) > 0 {
		t.Errorf("false alarms %v", f)
	}
}

// wantReported checks that a run against a flawed server reported want
// and failed.
func wantReported(t *testing.T, sum *results.Summary, want oracle.Outcome) {
	t.Helper()
	logOutcomes(t, sum)
	if sum.Outcomes[want] == 0 {
		t.Errorf("%s not reported; outcomes %v", want, nonZero(sum.Outcomes[:]))
	}
	if sum.Verdict != "fail" {
		t.Errorf("verdict %s, want fail", sum.Verdict)
	}
}
