package results

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"
)

// Merge keeps stages exactly: per-stage counts add, per-stage histograms
// (stored in histograms.json) merge losslessly, and the measured part
// still leaves the warmup stage out.
func TestMergeKeepsStagesExactly(t *testing.T) {
	base := t.TempDir()
	a, b, out := filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "merged")
	startB := testStart.Add(300 * time.Millisecond)
	staged := func(obs []Observation, start time.Time) []Observation {
		for i := range obs {
			if obs[i].Start.Sub(start) >= time.Second {
				obs[i].Stage = 1 // warm: [0,1s), main: [1s,3s)
			}
		}
		return obs
	}
	obsA := staged(genObservations(rand.New(rand.NewPCG(1, 2)), testStart, 1500, 3), testStart)
	obsB := staged(genObservations(rand.New(rand.NewPCG(3, 4)), startB, 1200, 3), startB)
	meta := func(shard string) RunMeta {
		m := shardMeta("scn-st", shard)
		m.Elapsed = 3 * time.Second
		m.Stages = []StageMeta{
			{Name: "warm", Shape: "100", Warmup: true, Ran: time.Second, Requested: 100},
			{Name: "main", Shape: "400", Start: time.Second, Ran: 2 * time.Second, Requested: 800},
		}
		return m
	}
	ths := []Threshold{MustParseThreshold("stage.main.latency.p99<10s"), MustParseThreshold("requests.total>0")}
	sa := writeRun(t, a, testStart, obsA, meta("1/2"), ths)
	sb := writeRun(t, b, startB, obsB, meta("2/2"), ths)

	m, err := Merge([]string{a, b}, out, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Stages) != 2 {
		t.Fatalf("merged stages %+v", m.Stages)
	}
	for i, st := range m.Stages {
		x, y := sa.Stages[i], sb.Stages[i]
		if st.Name != x.Name || st.Achieved != x.Achieved+y.Achieved || st.Requests.Total != x.Requests.Total+y.Requests.Total ||
			st.Requested != x.Requested+y.Requested || st.Failures != x.Failures+y.Failures {
			t.Errorf("stage %s: merged %+v from %+v and %+v", st.Name, st, x, y)
		}
		// The merged p99 is that of every value of the stage, exactly.
		ref := newLatencyHist()
		for _, obs := range [][]Observation{obsA, obsB} {
			for _, o := range obs {
				if o.Stage == i && isLoad(o.Kind) {
					recordLatency(ref, o.Latency)
				}
			}
		}
		if want := ms(durationNs(ref.ValueAtQuantile(99))); st.Latency.P99 != want || st.Latency.Count != ref.TotalCount() {
			t.Errorf("stage %s: p99 %v of %d, want %v of %d", st.Name, st.Latency.P99, st.Latency.Count, want, ref.TotalCount())
		}
	}
	if m.Measured == nil || m.Measured.Requests.Total != m.Stages[1].Requests.Total || m.Measured.Achieved != m.Stages[1].Achieved {
		t.Errorf("measured part of the merge: %+v", m.Measured)
	}
	if m.Stages[1].StartS < 0.99 || m.Stages[1].StartS > 1.01 {
		t.Errorf("main starts at %v s on the merged clock", m.Stages[1].StartS)
	}
	// Read back, the merged directory keeps its per-stage histograms.
	l, err := LoadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	back := l.Summary
	if len(back.Histograms.Stages) != 2 || !back.Histograms.Stages[1].Raw.Equals(m.Stages[1].hist.Raw) {
		t.Fatal("histograms.json lost the per-stage histograms")
	}
	if v, ok := MustParseThreshold("stage.main.latency.p99.9<1h").Check(back); !ok || v != ms(durationNs(back.Histograms.Stages[1].Raw.ValueAtQuantile(99.9))) {
		t.Errorf("a stage percentile read back: %v %v", v, ok)
	}
}

func TestMergeRefusesDifferentStagePlans(t *testing.T) {
	base := t.TempDir()
	a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
	obs := genObservations(rand.New(rand.NewPCG(5, 6)), testStart, 100, 2)
	ma, mb := shardMeta("scn-p", "1/2"), shardMeta("scn-p", "2/2")
	ma.Stages = []StageMeta{{Name: "x", Ran: time.Second, Requested: 50}}
	mb.Stages = []StageMeta{{Name: "y", Ran: time.Second, Requested: 50}}
	writeRun(t, a, testStart, append([]Observation(nil), obs...), ma, nil)
	writeRun(t, b, testStart, append([]Observation(nil), obs...), mb, nil)
	if _, err := Merge([]string{a, b}, filepath.Join(base, "m"), MergeOptions{}); err == nil {
		t.Fatal("merged two different stage plans")
	}
}
