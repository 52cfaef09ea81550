package results

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

func TestSummaryQuantilesMatchIndependentHistogram(t *testing.T) {
	obs := genObservations(rand.New(rand.NewPCG(1, 2)), testStart, 20000, 5)
	slices.SortFunc(obs, func(a, b Observation) int { return a.Start.Add(a.Latency).Compare(b.Start.Add(b.Latency)) })
	r := NewRecorder(RecorderOptions{Start: testStart})
	recordAll(t, r, obs)
	s := r.Summary(RunMeta{Elapsed: 5 * time.Second})

	raw, corrected := referenceHists(obs)
	check := func(name string, got LatencyMs, h interface {
		ValueAtQuantile(float64) int64
		Max() int64
		TotalCount() int64
	}) {
		t.Helper()
		want := map[string][2]float64{
			"p50":  {got.P50, float64(h.ValueAtQuantile(50)) / 1e6},
			"p90":  {got.P90, float64(h.ValueAtQuantile(90)) / 1e6},
			"p99":  {got.P99, float64(h.ValueAtQuantile(99)) / 1e6},
			"p999": {got.P999, float64(h.ValueAtQuantile(99.9)) / 1e6},
			"max":  {got.Max, float64(h.Max()) / 1e6},
		}
		for q, v := range want {
			if v[0] != v[1] {
				t.Errorf("%s %s = %v ms, independent histogram says %v ms", name, q, v[0], v[1])
			}
		}
		if got.Count != h.TotalCount() {
			t.Errorf("%s count = %d, want %d", name, got.Count, h.TotalCount())
		}
	}
	check("latency_ms", s.Latency, raw)
	check("latency_corrected_ms", s.LatencyCorrected, corrected)
	if s.Latency.P99 > s.LatencyCorrected.P99 {
		t.Errorf("corrected p99 %v below raw p99 %v", s.LatencyCorrected.P99, s.Latency.P99)
	}
	if !s.Histograms.Load.Raw.Equals(raw) {
		t.Error("summary load histogram differs from the independent one")
	}
}

func TestProbeAndSignInStayOutOfLoadLatency(t *testing.T) {
	r := NewRecorder(RecorderOptions{Start: testStart})
	r.Record(&Observation{Start: testStart, Kind: KindRefresh, Outcome: oracle.OKRotated, Latency: 2 * time.Millisecond})
	r.Record(&Observation{Start: testStart, Kind: KindProbe, Outcome: oracle.RejRevokedFamily, Latency: 9 * time.Second})
	r.Record(&Observation{Start: testStart, Kind: KindSignIn, Outcome: oracle.OKRotated, Latency: 8 * time.Second})
	s := r.Summary(RunMeta{Elapsed: time.Second})
	if s.Latency.Count != 1 || s.Latency.Max > 2.01 {
		t.Fatalf("load latency = %+v, want only the 2ms refresh", s.Latency)
	}
	if s.LatencyByKind["probe"].Count != 1 || s.LatencyByKind["sign-in"].Count != 1 {
		t.Fatalf("per-kind latency lost probe/sign-in: %+v", s.LatencyByKind)
	}
	if s.Requests.Total != 3 || s.Requests.Load != 1 {
		t.Fatalf("requests = %+v", s.Requests)
	}
}

func TestSummaryJSONHasEveryName(t *testing.T) {
	r := NewRecorder(RecorderOptions{Start: testStart})
	r.Record(&Observation{Start: testStart, Kind: KindRefresh, Outcome: oracle.OKRotated, Latency: time.Millisecond})
	s := r.Summary(RunMeta{Elapsed: time.Second, Config: map[string]any{"target": "x"}, ScenarioID: "abc"})
	Evaluate(s, DefaultThresholds())
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["schema"] != "refreshstorm/summary/v2" || m["verdict"] != "pass" || m["scenario_id"] != "abc" {
		t.Fatalf("schema/verdict/scenario_id wrong: %v %v %v", m["schema"], m["verdict"], m["scenario_id"])
	}
	outcomes := m["outcomes"].(map[string]any)
	if len(outcomes) != int(oracle.NumOutcomes) {
		t.Errorf("outcomes has %d names, want %d", len(outcomes), oracle.NumOutcomes)
	}
	for _, o := range oracle.AllOutcomes() {
		v, ok := outcomes[o.String()]
		if !ok {
			t.Errorf("outcome %s missing", o)
			continue
		}
		want := 0.0
		if o == oracle.OKRotated {
			want = 1
		}
		if v.(float64) != want {
			t.Errorf("outcome %s = %v, want %v", o, v, want)
		}
	}
	fam := m["families"].(map[string]any)
	for st := oracle.FamilyState(0); st < oracle.NumFamilyStates; st++ {
		if _, ok := fam[st.String()]; !ok {
			t.Errorf("family state %s missing", st)
		}
	}
	req := m["requests"].(map[string]any)
	for _, k := range []string{"total", "rate", "dropped", "by_kind"} {
		if _, ok := req[k]; !ok {
			t.Errorf("requests.%s missing", k)
		}
	}
	for _, k := range []string{"p50", "p90", "p99", "p999", "max"} {
		if _, ok := m["latency_ms"].(map[string]any)[k]; !ok {
			t.Errorf("latency_ms.%s missing", k)
		}
		if _, ok := m["latency_corrected_ms"].(map[string]any)[k]; !ok {
			t.Errorf("latency_corrected_ms.%s missing", k)
		}
	}
	ths := m["thresholds"].([]any)
	if len(ths) != 16 {
		t.Errorf("%d default thresholds, want 13 fail_* + undecided + accepted + shortfall", len(ths))
	}
	th := ths[0].(map[string]any)
	for _, k := range []string{"expr", "value", "pass"} {
		if _, ok := th[k]; !ok {
			t.Errorf("threshold field %s missing", k)
		}
	}
	// And back.
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Outcomes != s.Outcomes || back.Requests != s.Requests {
		t.Errorf("round trip changed counts")
	}
}

func TestRaceLogoutsPer1000(t *testing.T) {
	r := NewRecorder(RecorderOptions{Start: testStart})
	for i := 0; i < 2000; i++ {
		r.Record(&Observation{Start: testStart, Kind: KindRefresh, Outcome: oracle.OKRotated, Latency: time.Millisecond})
	}
	for i := 0; i < 500; i++ { // duplicates are not load refreshes for the denominator
		r.Record(&Observation{Start: testStart, Kind: KindDuplicate, Outcome: oracle.OKRotated, Latency: time.Millisecond})
	}
	s := r.Summary(RunMeta{Elapsed: 10 * time.Second, RaceLogouts: 3})
	if s.RaceLogouts.Count != 3 || s.RaceLogouts.Per1000 != 1.5 {
		t.Fatalf("race_logouts = %+v, want 3 and 1.5 per 1000", s.RaceLogouts)
	}
	if s.Requests.Rate != 250 {
		t.Fatalf("requests.rate = %v, want 2500/10s", s.Requests.Rate)
	}
	empty := NewRecorder(RecorderOptions{Start: testStart}).Summary(RunMeta{RaceLogouts: 2})
	if empty.RaceLogouts.Per1000 != 0 || math.IsNaN(empty.Requests.Rate) {
		t.Fatalf("empty run: %+v %v", empty.RaceLogouts, empty.Requests.Rate)
	}
}

func TestSnapshotWindows(t *testing.T) {
	r := NewRecorder(RecorderOptions{Start: testStart, Duration: time.Minute})
	// second 0: 3 refreshes at 1ms, second 1: 2 at 10ms, second 2: nothing,
	// second 3: one failure with chaos.
	for i := 0; i < 3; i++ {
		r.Record(&Observation{Start: testStart.Add(100 * time.Millisecond), Kind: KindRefresh, Outcome: oracle.OKRotated, Latency: time.Millisecond})
	}
	for i := 0; i < 2; i++ {
		r.Record(&Observation{Start: testStart.Add(1100 * time.Millisecond), Kind: KindRefresh, Outcome: oracle.OKRotated, Latency: 10 * time.Millisecond})
	}
	r.ChaosInjected("lost-response")
	for i := 0; i < 12; i++ {
		r.Record(&Observation{Start: testStart.Add(3100 * time.Millisecond), Kind: KindRefresh, Chaos: "lost-response",
			Outcome: oracle.FailLostResponseLogout, Latency: time.Millisecond, Detail: "n" + string(rune('a'+i))})
	}
	r.RecordDropped()
	snap := r.Snapshot(testStart.Add(4500 * time.Millisecond))
	if snap.Total != 17 || snap.Refresh != 17 || snap.Dropped != 1 || snap.Duration != time.Minute {
		t.Fatalf("totals: %+v", snap)
	}
	if len(snap.Seconds) != 4 {
		t.Fatalf("seconds = %+v, want 4 closed seconds", snap.Seconds)
	}
	wantReq := []uint64{3, 2, 0, 12}
	for i, p := range snap.Seconds {
		if p.Second != i || p.Requests != wantReq[i] || p.Rate != float64(wantReq[i]) {
			t.Errorf("second %d = %+v, want %d requests", i, p, wantReq[i])
		}
	}
	if d := snap.Seconds[1].P99 - 10*time.Millisecond; d < 0 || d > 20*time.Microsecond {
		t.Errorf("second 1 p99 = %v", snap.Seconds[1].P99)
	}
	if snap.LastSecond.Count != 12 {
		t.Errorf("last second = %+v", snap.LastSecond)
	}
	if snap.ChaosInjected["lost-response"] != 1 || snap.ChaosProduced["lost-response"][oracle.FailLostResponseLogout] != 12 {
		t.Errorf("chaos: %v %v", snap.ChaosInjected, snap.ChaosProduced)
	}
	if len(snap.RecentFailures) != 10 || snap.RecentFailures[9].Detail != "nl" || snap.RecentFailures[0].Detail != "nc" {
		t.Errorf("recent failures: %d, newest %q", len(snap.RecentFailures), snap.RecentFailures[len(snap.RecentFailures)-1].Detail)
	}
	if snap.Failures() != 12 {
		t.Errorf("failures = %d", snap.Failures())
	}
	lb := r.LatencyBuckets()
	if lb.Count != 17 || lb.Cumulative[1] != 15 || lb.Cumulative[len(lb.Cumulative)-1] != 17 {
		t.Errorf("latency buckets: %+v", lb)
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	for _, withDir := range []bool{false, true} {
		var d *Dir
		if withDir {
			var err error
			if d, err = CreateDir(t.TempDir() + "/run"); err != nil {
				t.Fatal(err)
			}
			defer d.Close()
		}
		r := NewRecorder(RecorderOptions{Start: testStart, Dir: d})
		o := Observation{Start: testStart, Session: "s", Family: "f", Kind: KindDuplicate, Chaos: "concurrent",
			Outcome: oracle.FailFork, Status: 200, Latency: 3 * time.Millisecond, Corrected: 4 * time.Millisecond, Detail: "x"}
		r.Record(&o) // first use of the outcome and chaos kind allocates
		allocs := testing.AllocsPerRun(1000, func() {
			o.Start = o.Start.Add(time.Microsecond)
			r.Record(&o)
		})
		if allocs != 0 {
			t.Errorf("Record allocates %.1f times per call (dir=%v)", allocs, withDir)
		}
	}
}

func BenchmarkRecord(b *testing.B) {
	r := NewRecorder(RecorderOptions{Start: testStart})
	obs := genObservations(rand.New(rand.NewPCG(3, 4)), testStart, 4096, 1)
	for i := range obs {
		obs[i].Start = testStart.Add(time.Duration(i) * time.Microsecond)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		o := &obs[i%len(obs)]
		o.Start = o.Start.Add(time.Duration(len(obs)) * time.Microsecond)
		r.Record(o)
	}
}
