package results

import (
	"errors"
	"strings"
	"testing"

	"github.com/refreshstorm/refreshstorm/oracle"
)

func TestParseThresholdGood(t *testing.T) {
	s := &Summary{
		Requests:         Requests{Total: 1000, Rate: 99.5, Load: 900, Dropped: 4},
		Latency:          LatencyMs{P50: 10, P90: 20, P99: 250, P999: 400, Max: 900},
		LatencyCorrected: LatencyMs{P50: 11, P90: 22, P99: 300, P999: 500, Max: 1000},
		RaceLogouts:      RaceLogouts{Count: 3, Per1000: 3.3},
	}
	s.Outcomes[oracle.OKRotated] = 980
	s.Outcomes[oracle.TransportError] = 5
	s.Outcomes[oracle.Timeout] = 5
	s.Outcomes[oracle.FailFork] = 7
	s.Outcomes[oracle.FailZombieFamily] = 3
	s.Families[oracle.FamilyForked] = 2
	for _, tc := range []struct {
		expr  string
		value float64
		pass  bool
		unit  string
	}{
		{"latency.p99<250ms", 250, false, "ms"},
		{"latency.p99<=250ms", 250, true, "ms"},
		{" latency.p50 < 1s ", 10, true, "ms"},
		{"latency.p999>=900us", 400, true, "ms"},
		{"latency.max!=900ms", 900, false, "ms"},
		{"latency.p99.9<1s", 400, true, "ms"},
		{"latency_corrected.p90==22ms", 22, true, "ms"},
		{"latency_corrected.max>1.5s", 1000, false, "ms"},
		{"fail_fork==0", 7, false, "count"},
		{"fail_fork<=7", 7, true, "count"},
		{"rate.timeout<0.01", 0.005, true, "fraction"},
		{"rate.transport_error+timeout<1%", 0.01, false, "fraction"},
		{"rate.undecided<0.01", 0.01, false, "fraction"},
		{"undecided==10", 10, true, "count"},
		{"failures>5", 10, true, "count"},
		{"rate.failures<0.02", 0.01, true, "fraction"},
		{"race_logouts==0", 3, false, "count"},
		{"race_logouts.per_1000<5", 3.3, true, "per_1000"},
		{"requests.rate>=100", 99.5, false, "req/s"},
		{"requests.total>999", 1000, true, "count"},
		{"requests.load==900", 900, true, "count"},
		{"requests.dropped<1e3", 4, true, "count"},
		{"families.forked==0", 2, false, "count"},
	} {
		th, err := ParseThreshold(tc.expr)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if th.Expr != strings.TrimSpace(tc.expr) {
			t.Errorf("%q: Expr = %q", tc.expr, th.Expr)
		}
		v, pass := th.Check(s)
		if diff := v - tc.value; diff > 1e-9 || diff < -1e-9 || pass != tc.pass || th.Unit() != tc.unit {
			t.Errorf("%q: value %v pass %v unit %s, want %v %v %s", tc.expr, v, pass, th.Unit(), tc.value, tc.pass, tc.unit)
		}
	}
}

func TestParseThresholdErrors(t *testing.T) {
	for _, tc := range []struct {
		expr string
		col  int
		msg  string
	}{
		{"latency.p99<25x", 13, `bad duration "25x"`},
		{"latency.p99<25", 13, `bad duration "25": missing unit`},
		{"latency.p101<1s", 9, `unknown latency percentile "p101"`},
		{"latency.p99", 12, "missing operator"},
		{"latency.p99 = 1s", 13, "use =="},
		{"latency.p99 ~ 1s", 13, `unexpected "~"`},
		{"latency.p99<", 13, "missing value"},
		{"latency.p99 < 1s now", 18, `unexpected "now"`},
		{"latency.p99<-1s", 13, "must not be negative"},
		{"fail_forkk==0", 1, `unknown outcome "fail_forkk"`},
		{"rate.timeout+fail_frk<0.1", 14, `unknown outcome "fail_frk"`},
		{"rate.timeout<abc", 14, `bad fraction "abc"`},
		{"race_logouts<-1", 14, `bad number "-1"`},
		{"requests.speed>1", 10, `unknown requests metric "speed"`},
		{"latncy.p99<1s", 1, `unknown metric "latncy.p99"`},
		{"families.zombiez==0", 10, `unknown family state "zombiez"`},
		{"", 1, "empty expression"},
		{"   ", 4, "empty expression"},
		{"<1", 1, "expected a metric name"},
	} {
		_, err := ParseThreshold(tc.expr)
		var te *ThresholdError
		if !errors.As(err, &te) {
			t.Errorf("%q: error %v, want a *ThresholdError", tc.expr, err)
			continue
		}
		if te.Column != tc.col || !strings.Contains(te.Msg, tc.msg) {
			t.Errorf("%q: column %d %q, want column %d containing %q", tc.expr, te.Column, te.Msg, tc.col, tc.msg)
		}
	}
	_, err := ParseThreshold("latency.p99<25x")
	if want := `threshold "latency.p99<25x": column 13: bad duration "25x"`; err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
}

func TestEvaluateAndDefaults(t *testing.T) {
	defs := DefaultThresholds()
	if len(defs) != 16 || defs[len(defs)-3].Expr != "rate.undecided<0.01" || defs[len(defs)-2].Expr != "requests.accepted>0" || defs[len(defs)-1].Expr != "rate.shortfall<0.05" {
		t.Fatalf("defaults: %v", defs)
	}
	s := &Summary{}
	s.Outcomes[oracle.OKRotated] = 1000
	Evaluate(s, defs)
	if s.Verdict != VerdictPass || len(s.Thresholds) != 16 {
		t.Fatalf("clean run: %s %d", s.Verdict, len(s.Thresholds))
	}
	s.Outcomes[oracle.TransportError] = 11 // 11/1011 > 1 %
	Evaluate(s, defs)
	if s.Verdict != VerdictFail || len(s.FailedThresholds()) != 1 || s.FailedThresholds()[0].Expr != "rate.undecided<0.01" {
		t.Fatalf("dead target: %s %v", s.Verdict, s.FailedThresholds())
	}
	s.Outcomes[oracle.TransportError] = 0
	s.Outcomes[oracle.FailCSRFBypass] = 1
	Evaluate(s, defs)
	if f := s.FailedThresholds(); len(f) != 1 || f[0].Expr != "fail_csrf_bypass==0" || f[0].Value != 1 {
		t.Fatalf("csrf bypass: %v", f)
	}
	// A run with no accepted refresh (every one throttled) tested nothing.
	tested := s.Outcomes
	s.Outcomes = OutcomeCounts{}
	s.Outcomes[oracle.RateLimited] = 500
	Evaluate(s, defs)
	if f := s.FailedThresholds(); len(f) != 1 || f[0].Expr != "requests.accepted>0" {
		t.Fatalf("all throttled: %v", f)
	}
	// Every refresh rejected, every family signed in again: the
	// re-sign-ins are not accepted refreshes.
	s.Outcomes = OutcomeCounts{}
	s.Outcomes[oracle.FailUnexpectedLogout] = 20
	s.Outcomes[oracle.OKRotated] = 20
	s.ReSignedIn = 20
	Evaluate(s, defs)
	if f := s.FailedThresholds(); len(f) != 2 || f[1].Expr != "requests.accepted>0" {
		t.Fatalf("all rejected: %v", f)
	}
	s.ReSignedIn = 0
	s.Outcomes = tested
	Evaluate(s, nil)
	if s.Verdict != VerdictPass || s.Thresholds == nil {
		t.Fatalf("no thresholds: %s %v", s.Verdict, s.Thresholds)
	}
	back, err := StoredThresholds(&Summary{Thresholds: []ThresholdResult{{Expr: "latency.p99<1s"}}})
	if err != nil || len(back) != 1 || back[0].Expr != "latency.p99<1s" {
		t.Fatalf("stored: %v %v", back, err)
	}
}
