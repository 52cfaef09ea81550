package results

import (
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// synthRun records n refreshes with latency lat(i) and logouts race logouts.
func synthRun(n int, lat func(i int) time.Duration, logouts uint64) *Summary {
	r := NewRecorder(RecorderOptions{Start: testStart})
	for i := 0; i < n; i++ {
		d := lat(i)
		r.Record(&Observation{Start: testStart.Add(time.Duration(i) * time.Millisecond), Kind: KindRefresh,
			Outcome: oracle.OKRotated, Latency: d, Corrected: d})
	}
	s := r.Summary(RunMeta{Elapsed: 10 * time.Second, ScenarioID: "scn", RaceLogouts: logouts, Config: map[string]any{"rate": float64(n) / 10}})
	Evaluate(s, DefaultThresholds())
	return s
}

func spread(base time.Duration) func(int) time.Duration {
	return func(i int) time.Duration { return base + time.Duration(i%100)*20*time.Microsecond }
}

func row(t *testing.T, c *Comparison, metric string) CompareRow {
	t.Helper()
	for _, r := range c.Rows {
		if r.Metric == metric {
			return r
		}
	}
	t.Fatalf("no row %s in %+v", metric, c.Rows)
	return CompareRow{}
}

func TestCompareSameRunIsNoChange(t *testing.T) {
	a, b := synthRun(2000, spread(time.Millisecond), 0), synthRun(2000, spread(time.Millisecond), 0)
	c := Compare("a", a, "b", b, CompareOptions{})
	if c.Verdict != CompareNoChange || len(c.Regressions) != 0 {
		t.Fatalf("verdict %s, regressions %v", c.Verdict, c.Regressions)
	}
	p99 := row(t, c, "latency.p99")
	if p99.BaseCI.Lo > p99.Base || p99.BaseCI.Hi < p99.Base || p99.Significant {
		t.Errorf("p99 row %+v", p99)
	}
}

func TestCompareLatencyRegression(t *testing.T) {
	a, b := synthRun(2000, spread(time.Millisecond), 0), synthRun(2000, spread(21*time.Millisecond), 0)
	c := Compare("a", a, "b", b, CompareOptions{})
	if c.Verdict != CompareRegression || !strings.Contains(strings.Join(c.Regressions, ","), "latency.p99") {
		t.Fatalf("verdict %s, regressions %v", c.Verdict, c.Regressions)
	}
	// The reverse is an improvement, not a regression.
	if r := Compare("b", b, "a", a, CompareOptions{}); r.Verdict != CompareImprovement {
		t.Errorf("reverse verdict %s", r.Verdict)
	}
	// Beyond tolerance but not significant: a 2 ms shift with 5 samples.
	tiny1, tiny2 := synthRun(5, spread(time.Millisecond), 0), synthRun(5, spread(4*time.Millisecond), 0)
	if r := row(t, Compare("a", tiny1, "b", tiny2, CompareOptions{}), "latency.p99"); r.Change == ChangeWorse {
		t.Errorf("5 samples judged a regression: %+v", r)
	}
	// Significant but within a generous tolerance.
	tol, err := ParseTolerances([]string{"latency.p99=10000%", "latency.p90=10000%", "latency.p50=10000%", "latency.p999=10000%",
		"latency_corrected.p99=30ms", "latency_corrected.p90=30ms", "latency_corrected.p50=30ms", "latency_corrected.p999=30ms"})
	if err != nil {
		t.Fatal(err)
	}
	if r := Compare("a", a, "b", b, CompareOptions{Tolerances: tol}); r.Verdict == CompareRegression {
		t.Errorf("within tolerance judged a regression: %v", r.Regressions)
	}
}

func TestCompareRaceLogouts0To5IsRegression(t *testing.T) {
	a, b := synthRun(2000, spread(time.Millisecond), 0), synthRun(2000, spread(time.Millisecond), 10)
	c := Compare("a", a, "b", b, CompareOptions{})
	r := row(t, c, "race_logouts.per_1000")
	if r.Base != 0 || r.Cur != 5 || r.Change != ChangeWorse || c.Verdict != CompareRegression {
		t.Fatalf("race logouts row %+v, verdict %s", r, c.Verdict)
	}
	if r.CurCI.Lo <= 0 || r.CurCI.Hi <= 5 || r.BaseCI.Lo != 0 || r.BaseCI.Hi <= 0 {
		t.Errorf("Wilson intervals %+v %+v", r.BaseCI, r.CurCI)
	}
	tol, _ := ParseTolerances([]string{"race_logouts.per_1000=6"})
	if c := Compare("a", a, "b", b, CompareOptions{Tolerances: tol}); c.Verdict == CompareRegression {
		t.Errorf("tolerance 6 per 1,000 still a regression")
	}
}

func TestCompareNotComparable(t *testing.T) {
	a, b := synthRun(100, spread(time.Millisecond), 0), synthRun(100, spread(time.Millisecond), 0)
	b.ScenarioID = "other"
	if c := Compare("a", a, "b", b, CompareOptions{}); c.Verdict != CompareNotComparable || len(c.Rows) != 0 || !strings.Contains(c.Problems[0], "other") {
		t.Fatalf("%+v", c)
	}
	if c := Compare("a", a, "b", b, CompareOptions{Force: true}); c.Verdict != CompareNoChange || !c.Forced || c.Comparable {
		t.Fatalf("forced: %+v", c)
	}
}

func TestParseTolerance(t *testing.T) {
	for spec, want := range map[string]Tolerance{
		"latency.p99=10%":           {Rel: 0.1},
		"latency.p99=2ms":           {Abs: 2},
		"latency.p50=10%+500us":     {Rel: 0.1, Abs: 0.5},
		"race_logouts.per_1000=0.5": {Abs: 0.5},
		"rate.fail_fork=0.001":      {Abs: 0.001},
		"throughput=5%":             {Rel: 0.05},
	} {
		_, got, err := ParseTolerance(spec)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", spec, got, err, want)
		}
	}
	for spec, want := range map[string]string{
		"latency.p99":       "METRIC=VALUE",
		"latency.p98=10%":   "unknown metric",
		"latency.p99=-1%":   "non-negative percentage",
		"latency.p99=fast":  "non-negative duration",
		"rate.ok_rotated=1": "unknown metric",
	} {
		if _, _, err := ParseTolerance(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", spec, err, want)
		}
	}
}

func TestQuantileIntervalBracketsTheQuantile(t *testing.T) {
	s := synthRun(1000, func(i int) time.Duration { return time.Duration(i+1) * time.Millisecond / 10 }, 0)
	v, iv := QuantileInterval(s.Histograms.Load.Raw, 0.99)
	// true p99 of 0.1..100 ms is 99 ms; ranks 983..997 bound it.
	if v < 98.5 || v > 99.5 || iv.Lo > 99 || iv.Lo < 97.5 || iv.Hi < 99 || iv.Hi > 100.5 {
		t.Errorf("p99 %.3f [%.3f, %.3f]", v, iv.Lo, iv.Hi)
	}
}
