package results

import (
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/oracle"
)

func TestMergeIsExact(t *testing.T) {
	base := t.TempDir()
	a, b, out := filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "merged")
	startB := testStart.Add(400 * time.Millisecond)
	obsA := genObservations(rand.New(rand.NewPCG(7, 8)), testStart, 4000, 4)
	obsB := genObservations(rand.New(rand.NewPCG(9, 10)), startB, 3000, 4)
	ths := []Threshold{MustParseThreshold("latency.p99<10s"), MustParseThreshold("fail_fork==0")}
	sa := writeRun(t, a, testStart, obsA, testMeta("scn-1"), ths)
	sb := writeRun(t, b, startB, obsB, shardMeta("scn-1", "2/2"), ths)

	m, err := Merge([]string{a, b}, out, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}

	all := append(append([]Observation(nil), obsA...), obsB...)
	raw, corrected := referenceHists(all)
	if !m.Histograms.Load.Raw.Equals(raw) || !m.Histograms.Load.Corrected.Equals(corrected) {
		t.Fatal("merged load histograms differ from one built from every value")
	}
	if m.Latency.P999 != float64(raw.ValueAtQuantile(99.9))/1e6 || m.Latency.Count != raw.TotalCount() {
		t.Errorf("merged p99.9 %v count %d", m.Latency.P999, m.Latency.Count)
	}
	if m.Requests.Total != sa.Requests.Total+sb.Requests.Total || m.Requests.Total != 7000 || m.Requests.Dropped != 2 {
		t.Errorf("requests %+v", m.Requests)
	}
	for o := range m.Outcomes {
		if m.Outcomes[o] != sa.Outcomes[o]+sb.Outcomes[o] {
			t.Errorf("outcome %s: %d != %d + %d", oracle.Outcome(o), m.Outcomes[o], sa.Outcomes[o], sb.Outcomes[o])
		}
	}
	if m.Families[oracle.FamilyHealthy] != 18 || m.RaceLogouts.Count != 4 || m.ReSignedIn != 2 || m.Chaos.Injected["concurrent"] != 2 {
		t.Errorf("families %v race %v resigned %d chaos %v", m.Families, m.RaceLogouts, m.ReSignedIn, m.Chaos.Injected)
	}
	if want := float64(4) * 1000 / float64(m.Requests.ByKind[KindRefresh]); m.RaceLogouts.Per1000 != want {
		t.Errorf("per_1000 %v, want %v", m.RaceLogouts.Per1000, want)
	}
	if m.Chaos.Produced["concurrent"]["fail_fork"] != sa.Chaos.Produced["concurrent"]["fail_fork"]+sb.Chaos.Produced["concurrent"]["fail_fork"] {
		t.Errorf("chaos produced %v", m.Chaos.Produced)
	}
	if _, ok := m.Config["shard"]; ok || len(m.MergedFrom) != 2 {
		t.Errorf("config %v merged_from %v", m.Config, m.MergedFrom)
	}
	if m.ElapsedS < 5.39 || m.ElapsedS > 5.41 {
		t.Errorf("elapsed %v, want the 5.4s span", m.ElapsedS)
	}
	if len(m.Thresholds) != 2 || m.Thresholds[0].Pass != true || m.Thresholds[1].Pass || m.Verdict != VerdictFail ||
		m.Thresholds[1].Value != float64(m.Outcomes[oracle.FailFork]) {
		t.Errorf("thresholds %+v verdict %s", m.Thresholds, m.Verdict)
	}

	// Timeline: counts add per second; p99 of each second is exact.
	var tlReq, shardReq uint64
	for _, p := range m.Timeline {
		tlReq += p.Requests
	}
	for _, p := range append(sa.Timeline, sb.Timeline...) {
		shardReq += p.Requests
	}
	if tlReq != shardReq || tlReq != m.Requests.ByKind[KindRefresh] {
		t.Errorf("timeline requests %d, shards %d, refreshes %d", tlReq, shardReq, m.Requests.ByKind[KindRefresh])
	}
	// Second 2 of the merged run: shard b started 0.4s later, which rounds
	// to no shift, so each shard's second 2 lands there.
	sec2 := hdr.New(1000, 60_000_000_000, 3)
	for _, shard := range []struct {
		start time.Time
		obs   []Observation
	}{{testStart, obsA}, {startB, obsB}} {
		for _, o := range shard.obs {
			if isLoad(o.Kind) && o.Start.Add(o.Latency).Sub(shard.start)/time.Second == 2 {
				sec2.RecordValue(int64(o.Latency))
			}
		}
	}
	if got, want := m.Timeline[2].P99, time.Duration(sec2.ValueAtQuantile(99)); got != want || sec2.TotalCount() == 0 {
		t.Errorf("second 2 p99 %v, want %v", got, want)
	}

	// Files: reloadable, streams concatenated, no secrets.
	l, err := LoadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Summary.Histograms.Load.Raw.Equals(raw) {
		t.Error("reloaded merged histogram differs")
	}
	if n := countCSVRows(t, filepath.Join(out, FileEvents)); n != 7000 {
		t.Errorf("events.csv has %d rows", n)
	}
	if n := countResults(t, filepath.Join(out, FileResultsBin)); uint64(n) != m.Requests.Load {
		t.Errorf("results.bin has %d results, want %d", n, m.Requests.Load)
	}
	f, _ := os.Open(filepath.Join(out, FileHlog))
	defer f.Close()
	rd := hdr.NewHistogramLogReader(f)
	var hlogTotal int64
	for {
		h, err := rd.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		hlogTotal += h.TotalCount()
	}
	if hlogTotal != 7000 {
		t.Errorf("merged hlog holds %d values", hlogTotal)
	}
	assertNoMarker(t, out)
}

func countCSVRows(t *testing.T, p string) int {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(rows) - 1
}

func countResults(t *testing.T, p string) int {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := vegeta.NewDecoder(f)
	n := 0
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return n
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
}

func TestMergeRefusesMismatches(t *testing.T) {
	base := t.TempDir()
	a, b, c := filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "c")
	obs := genObservations(rand.New(rand.NewPCG(1, 1)), testStart, 100, 1)
	writeRun(t, a, testStart, append([]Observation(nil), obs...), testMeta("scn-1"), nil)
	writeRun(t, b, testStart, append([]Observation(nil), obs...), testMeta("scn-2"), nil)
	writeRun(t, c, testStart, append([]Observation(nil), obs...), shardMeta("scn-1", "2/2"), nil)

	var mie *MergeInputError
	_, err := Merge([]string{a, b}, filepath.Join(base, "out1"), MergeOptions{})
	if !errors.As(err, &mie) || len(mie.Dirs) != 2 || !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), b) ||
		!strings.Contains(err.Error(), `"scn-1"`) || !strings.Contains(err.Error(), `"scn-2"`) {
		t.Fatalf("different scenarios: %v", err)
	}
	if _, err := os.Stat(filepath.Join(base, "out1")); !os.IsNotExist(err) {
		t.Error("refused merge created its output directory")
	}

	sj := filepath.Join(c, FileSummaryJSON)
	raw, _ := os.ReadFile(sj)
	os.WriteFile(sj, []byte(strings.Replace(string(raw), "refreshstorm/summary/v2", "refreshstorm/summary/v3", 1)), 0o644)
	_, err = Merge([]string{a, c}, filepath.Join(base, "out2"), MergeOptions{})
	if !errors.As(err, &mie) || !strings.Contains(err.Error(), c) || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("schema: %v", err)
	}

	_, err = Merge([]string{a, a + "/"}, filepath.Join(base, "out3"), MergeOptions{})
	if !errors.As(err, &mie) || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("duplicate: %v", err)
	}
	_, err = Merge(nil, filepath.Join(base, "out4"), MergeOptions{})
	if !errors.As(err, &mie) {
		t.Fatalf("no inputs: %v", err)
	}
	_, err = Merge([]string{a}, a, MergeOptions{}) // output exists and is not empty: not an input error
	if err == nil || errors.As(err, &mie) || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty out: %v", err)
	}
}
