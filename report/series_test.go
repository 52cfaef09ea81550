package report

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// writeDir records n observations a second for secs seconds into a results
// directory with the given events.csv options: latency grows with i, and
// every 97th request fails.
func writeDir(t *testing.T, opts results.DirOptions, n, secs int) (string, *results.Summary) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	d, err := results.CreateDirWith(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := results.NewRecorder(results.RecorderOptions{Start: start, Dir: d})
	for i := 0; i < n*secs; i++ {
		o := oracle.OKRotated
		if i%97 == 0 {
			o = oracle.FailFork
		}
		lat := time.Duration(100+i%n) * 10 * time.Microsecond
		at := start.Add(time.Duration(i) * time.Second / time.Duration(n))
		r.Record(&results.Observation{Start: at, Kind: results.KindRefresh, Status: 200, Outcome: o, Latency: lat, Corrected: lat})
	}
	s := r.Summary(results.RunMeta{Elapsed: time.Duration(secs) * time.Second})
	if err := d.Finish(s); err != nil {
		t.Fatal(err)
	}
	return dir, s
}

// report.html's per-second series from a 1-in-10 sample, gzip-compressed,
// agree with the same run's series from every row: counts within a
// sample step per second, percentiles within a few per cent, and every
// failure row is there.
func TestSeriesFromWeightedSample(t *testing.T) {
	const n, secs = 500, 4
	fullDir, full := writeDir(t, results.DirOptions{EventsEvery: 1}, n, secs)
	sampledDir, sampled := writeDir(t, results.DirOptions{Gzip: true}, n, secs)
	if sampled.Files.EventsRows*3 > full.Files.EventsRows {
		t.Fatalf("sample kept %d rows of %d", sampled.Files.EventsRows, full.Files.EventsRows)
	}
	a, err := readSeries(fullDir, start)
	if err != nil {
		t.Fatal(err)
	}
	b, err := readSeries(sampledDir, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Secs) != secs || len(b.Secs) != secs {
		t.Fatalf("seconds %d and %d", len(a.Secs), len(b.Secs))
	}
	for sec := 0; sec < secs; sec++ {
		if d := math.Abs(a.Outcomes["ok_rotated"][sec] - b.Outcomes["ok_rotated"][sec]); d > 2*results.DefaultEventsEvery {
			t.Errorf("second %d: ok_rotated %v from every row, %v from the sample", sec, a.Outcomes["ok_rotated"][sec], b.Outcomes["ok_rotated"][sec])
		}
		if a.Outcomes["fail_fork"][sec] != b.Outcomes["fail_fork"][sec] {
			t.Errorf("second %d: fail_fork %v vs %v", sec, a.Outcomes["fail_fork"][sec], b.Outcomes["fail_fork"][sec])
		}
		for _, q := range []string{"p50", "p90", "p99"} {
			x, y := a.Raw[q][sec], b.Raw[q][sec]
			if math.Abs(x-y) > 0.05*x {
				t.Errorf("second %d %s: %.3f ms from every row, %.3f from the sample", sec, q, x, y)
			}
		}
	}
	if a.FailTotal != b.FailTotal || a.FailTotal == 0 {
		t.Errorf("failure rows %d vs %d", a.FailTotal, b.FailTotal)
	}
	if d := int64(a.Status["200"]) - int64(b.Status["200"]); d < -int64(secs*results.DefaultEventsEvery) || d > int64(secs*results.DefaultEventsEvery) {
		t.Errorf("status 200: %d vs %d", a.Status["200"], b.Status["200"])
	}
}

func TestWeightedPercentile(t *testing.T) {
	per := [][]weighed{{{1, 1}, {10, 9}}, {{5, 1}, {3, 1}, {4, 2}}, nil}
	got := percentiles(per, 0.5)
	if got[0] != 10 || got[1] != 4 || got[2] != -1 {
		t.Errorf("medians %v, want [10 4 -1]", got)
	}
	if got := percentiles([][]weighed{{{1, 10}, {2, 1}}}, 0.9); got[0] != 1 {
		t.Errorf("p90 %v, want 1", got)
	}
}
