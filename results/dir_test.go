package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// writeRun records obs (and one secret-laden vegeta result per load
// observation) into a new results directory and finishes it.
func writeRun(t testing.TB, path string, start time.Time, obs []Observation, meta RunMeta, ths []Threshold) *Summary {
	t.Helper()
	return writeRunWith(t, path, start, obs, meta, ths, DirOptions{EventsEvery: 1, VegetaResults: FileResultsBin})
}

// writeRunWith is writeRun with a choice of streamed files.
func writeRunWith(t testing.TB, path string, start time.Time, obs []Observation, meta RunMeta, ths []Threshold, opts DirOptions) *Summary {
	t.Helper()
	d, err := CreateDirWith(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(obs, func(a, b Observation) int { return a.Start.Add(a.Latency).Compare(b.Start.Add(b.Latency)) })
	r := NewRecorder(RecorderOptions{Start: start, Duration: meta.Elapsed, Dir: d})
	r.ChaosInjected("concurrent")
	for i := range obs {
		r.Record(&obs[i])
		if isLoad(obs[i].Kind) {
			r.RecordVegeta(secretResult(obs[i].Seq, obs[i].Start))
		}
	}
	r.RecordDropped()
	s := r.Summary(meta)
	Evaluate(s, ths)
	if err := d.Finish(s); err != nil {
		t.Fatal(err)
	}
	if err := d.Finish(s); err == nil {
		t.Error("second Finish did not fail")
	}
	return s
}

func testMeta(scenario string) RunMeta {
	m := RunMeta{
		Config:      map[string]any{"target": "http://127.0.0.1:9/api", "sessions": 10, "rate": 100, "policy": "strict", "shard": "1/2"},
		ScenarioID:  scenario,
		Elapsed:     5 * time.Second,
		RaceLogouts: 2,
		ReSignedIn:  1,
		RateChanges: []RateChange{{At: 2 * time.Second, Rate: 50}},
	}
	m.Families[oracle.FamilyHealthy] = 9
	m.Families[oracle.FamilyRevokedCorrectly] = 1
	return m
}

func TestCreateDirRefusesNonEmpty(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := CreateDir(dir)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty dir: %v", err)
	}
	_, err = CreateDir(filepath.Join(dir, "x"))
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("file: %v", err)
	}
	d, err := CreateDir(filepath.Join(dir, "a", "b"))
	if err != nil {
		t.Fatalf("mkdir -p: %v", err)
	}
	if err := d.Finish(nil); err != nil {
		t.Fatal(err)
	}
}

func TestRunDirectoryFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run")
	obs := genObservations(rand.New(rand.NewPCG(5, 6)), testStart, 3000, 5)
	s := writeRun(t, path, testStart, obs, testMeta("scn"), append(DefaultThresholds(), MustParseThreshold("latency.p99<1ms")))

	for _, f := range []string{FileSummaryJSON, FileEvents, FileHlog, FileResultsBin, FileHistograms, FileTimeline} {
		if fi, err := os.Stat(filepath.Join(path, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	if s.Verdict != VerdictFail { // fail_fork occurred, p99 < 1ms does not hold
		t.Errorf("verdict %s", s.Verdict)
	}

	t.Run("events.csv", func(t *testing.T) {
		f, _ := os.Open(filepath.Join(path, FileEvents))
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "time,seq,session,family,kind,chaos,status,outcome,latency_ms,corrected_ms,detail,weight" {
			t.Fatalf("header %v", rows[0])
		}
		if len(rows)-1 != len(obs) {
			t.Fatalf("%d rows, want %d", len(rows)-1, len(obs))
		}
		r := rows[1]
		if _, err := time.Parse(time.RFC3339Nano, r[0]); err != nil || !strings.HasSuffix(r[0], "Z") {
			t.Errorf("time %q: %v", r[0], err)
		}
		if r[3] != `f,"quoted"` || r[10] != "detail, with comma" {
			t.Errorf("quoting: family %q detail %q", r[3], r[10])
		}
		if _, ok := oracle.ParseOutcome(r[7]); !ok {
			t.Errorf("outcome %q", r[7])
		}
		if r[11] != "1" {
			t.Errorf("weight %q of a directory that keeps every row", r[11])
		}
	})

	t.Run("latency.hlog", func(t *testing.T) {
		f, _ := os.Open(filepath.Join(path, FileHlog))
		defer f.Close()
		rd := hdr.NewHistogramLogReader(f)
		perKind := map[string]int64{}
		intervals := 0
		for {
			h, err := rd.NextIntervalHistogram()
			if err != nil {
				t.Fatal(err)
			}
			if h == nil {
				break
			}
			intervals++
			if _, ok := ParseKind(h.Tag()); !ok {
				t.Fatalf("tag %q is not a kind", h.Tag())
			}
			if d := h.EndTimeMs() - h.StartTimeMs(); d <= 0 || d > 1000 {
				t.Errorf("interval length %d ms", d)
			}
			if h.StartTimeMs() < testStart.UnixMilli() || h.StartTimeMs() > testStart.Add(9*time.Second).UnixMilli() {
				t.Errorf("interval start %d outside the run", h.StartTimeMs())
			}
			perKind[h.Tag()] += h.TotalCount()
		}
		for k, n := range s.Requests.ByKind {
			if perKind[Kind(k).String()] != int64(n) {
				t.Errorf("hlog %s: %d values, want %d", Kind(k), perKind[Kind(k).String()], n)
			}
		}
		if intervals < 5 {
			t.Errorf("only %d intervals", intervals)
		}
	})

	t.Run("results.bin", func(t *testing.T) {
		f, _ := os.Open(filepath.Join(path, FileResultsBin))
		defer f.Close()
		dec := vegeta.NewDecoder(f)
		n := 0
		for {
			var r vegeta.Result
			if err := dec.Decode(&r); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			n++
			if len(r.Body) != 0 {
				t.Fatal("body kept")
			}
			sc := r.Headers.Values("Set-Cookie")
			if len(sc) != 2 || !strings.HasPrefix(sc[1], "__Host-refresh=[redacted]; Path=/; Secure") {
				t.Fatalf("Set-Cookie %q", sc)
			}
			if r.Headers.Get("X-Csrf-Token") != Redacted || r.Headers.Get("Authorization") != Redacted || r.Headers.Get("Content-Type") != "application/json" {
				t.Fatalf("headers %v", r.Headers)
			}
		}
		if uint64(n) != s.Requests.Load {
			t.Errorf("%d results, want %d", n, s.Requests.Load)
		}
	})

	t.Run("LoadDir", func(t *testing.T) {
		l, err := LoadDir(path)
		if err != nil {
			t.Fatal(err)
		}
		got := l.Summary
		a, _ := json.Marshal(s)
		b, _ := json.Marshal(got)
		if !bytes.Equal(a, b) {
			t.Errorf("summary.json round trip differs:\n%s\n%s", a, b)
		}
		if !slices.Equal(got.Timeline, s.Timeline) || len(got.Timeline) < 5 {
			t.Errorf("timeline round trip: %v vs %v", got.Timeline, s.Timeline)
		}
		if !got.Histograms.Load.Raw.Equals(s.Histograms.Load.Raw) || !got.Histograms.ByOutcome[oracle.FailFork].Corrected.Equals(s.Histograms.ByOutcome[oracle.FailFork].Corrected) {
			t.Error("histograms round trip differs")
		}
	})

	t.Run("no secrets", func(t *testing.T) { assertNoMarker(t, path) })
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// assertNoMarker greps every file under dir for the secret marker.
func assertNoMarker(t *testing.T, dir string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s contains the secret marker", p)
		}
		return nil
	})
	if err != nil || files < 6 {
		t.Fatalf("walked %d files: %v", files, err)
	}
}

func TestLoadDirErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadDir(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing dir: %v", err)
	}
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "summary.json: does not exist") {
		t.Errorf("no summary: %v", err)
	}
	os.WriteFile(filepath.Join(dir, FileSummaryJSON), []byte(`{"schema":"refreshstorm/summary/v9"}`), 0o644)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), `schema "refreshstorm/summary/v9" is not supported`) {
		t.Errorf("schema: %v", err)
	}
	os.WriteFile(filepath.Join(dir, FileSummaryJSON), []byte(`{"schema":"refreshstorm/summary/v1","outcomes":{"ok_rotatd":1}}`), 0o644)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), `unknown outcome "ok_rotatd"`) {
		t.Errorf("unknown outcome: %v", err)
	}
}
