package results

import (
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/oracle"
)

func TestParseEvents(t *testing.T) {
	for spec, want := range map[string]int{"all": 1, "sampled": DefaultEventsEvery, "": DefaultEventsEvery, "1/1": 1, "1/100": 100} {
		if n, err := ParseEvents(spec); err != nil || n != want {
			t.Errorf("%q: %d, %v; want %d", spec, n, err, want)
		}
	}
	for _, bad := range []string{"some", "1/0", "2/10", "1/x", "1/-3", "1/2000000"} {
		if _, err := ParseEvents(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if ParseVegetaResults("results.bin.gz") != nil || ParseVegetaResults("/tmp/x.bin") == nil {
		t.Error("vegeta results names")
	}
}

// readRows reads every events row of dir through OpenStreamed.
func readRows(t *testing.T, dir string) (string, [][]string) {
	t.Helper()
	f, name, err := OpenStreamed(dir, FileEvents)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return name, rows[1:]
}

func isPlain(o Observation) bool {
	return o.Outcome == oracle.OKRotated && o.Kind == KindRefresh && o.Chaos == ""
}

// A sampled, compressed directory keeps every non-plain row once, one plain
// success in ten with weight 10, and counts from the counters.
func TestSampledEventsGzip(t *testing.T) {
	obs := genObservations(rand.New(rand.NewPCG(11, 12)), testStart, 5000, 5)
	var plain, other uint64
	for _, o := range obs {
		if isPlain(o) {
			plain++
		} else {
			other++
		}
	}
	opts := DirOptions{Gzip: true, VegetaResults: FileResultsBin}
	dir := filepath.Join(t.TempDir(), "run")
	s := writeRunWith(t, dir, testStart, obs, testMeta("scn"), DefaultThresholds(), opts)

	for _, gone := range []string{FileEvents, FileResultsBin} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s written plain as well: %v", gone, err)
		}
	}
	name, rows := readRows(t, dir)
	if name != FileEvents+".gz" {
		t.Errorf("opened %s", name)
	}
	var kept, weighted, others uint64
	for _, r := range rows {
		w, err := strconv.ParseUint(r[11], 10, 64)
		if err != nil {
			t.Fatalf("weight %q", r[11])
		}
		if r[7] == "ok_rotated" && r[4] == "refresh" && r[5] == "" {
			kept++
			weighted += w
			if w != DefaultEventsEvery {
				t.Errorf("plain row weight %d", w)
			}
			continue
		}
		others++
		if w != 1 {
			t.Errorf("%s row weight %d", r[7], w)
		}
	}
	if others != other {
		t.Errorf("%d non-plain rows, want every one of %d", others, other)
	}
	if want := (plain + DefaultEventsEvery - 1) / DefaultEventsEvery; kept != want {
		t.Errorf("kept %d plain rows of %d, want %d", kept, plain, want)
	}
	if weighted < plain || weighted >= plain+DefaultEventsEvery {
		t.Errorf("weights add to %d for %d plain successes", weighted, plain)
	}
	var total uint64
	for _, n := range s.Outcomes {
		total += n
	}
	if total != uint64(len(obs)) || s.Outcomes[oracle.OKRotated] < plain {
		t.Errorf("counts %d (ok_rotated %d), want %d: counts must not come from the sample", total, s.Outcomes[oracle.OKRotated], len(obs))
	}
	f := s.Files
	if f == nil || f.Events != "events.csv.gz" || f.EventsSample != "1/10" || f.EventsRows != uint64(len(rows)) ||
		f.EventsLeftOut != plain-kept || f.VegetaResults != "results.bin.gz" {
		t.Errorf("files %+v (rows %d)", f, len(rows))
	}
	rf, rname, err := OpenStreamed(dir, FileResultsBin)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	dec := vegeta.NewDecoder(rf)
	n := 0
	for ; ; n++ {
		var r vegeta.Result
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", rname, err)
		}
	}
	if uint64(n) != s.Requests.Load {
		t.Errorf("%s holds %d results, want %d", rname, n, s.Requests.Load)
	}

	// Deterministic: the same observations give the same file.
	again := filepath.Join(t.TempDir(), "again")
	writeRunWith(t, again, testStart, obs, testMeta("scn"), DefaultThresholds(), opts)
	if _, rows2 := readRows(t, again); len(rows2) != len(rows) || rows2[len(rows2)/2][1] != rows[len(rows)/2][1] {
		t.Error("two writes of the same run sampled differently")
	}
}

// The default run keeps no results.bin; merge copies sampled, compressed
// shards row by row, weights included, and keeps them compressed.
func TestMergeSampledShards(t *testing.T) {
	base := t.TempDir()
	a, b, out := filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "m")
	obsA := genObservations(rand.New(rand.NewPCG(13, 14)), testStart, 2000, 3)
	obsB := genObservations(rand.New(rand.NewPCG(15, 16)), testStart, 1500, 3)
	sa := writeRunWith(t, a, testStart, obsA, testMeta("scn"), nil, DirOptions{Gzip: true})
	sb := writeRunWith(t, b, testStart, obsB, shardMeta("scn", "2/2"), nil, DirOptions{EventsEvery: 5})
	if _, err := os.Stat(filepath.Join(a, FileResultsBin+".gz")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("results.bin written without being asked: %v", err)
	}
	m, err := Merge([]string{a, b}, out, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	name, rows := readRows(t, out)
	if name != FileEvents+".gz" || uint64(len(rows)) != sa.Files.EventsRows+sb.Files.EventsRows {
		t.Errorf("merged %s has %d rows, want %d + %d", name, len(rows), sa.Files.EventsRows, sb.Files.EventsRows)
	}
	var weights uint64
	for _, r := range rows {
		w, _ := strconv.ParseUint(r[11], 10, 64)
		weights += w
	}
	if total := uint64(len(obsA) + len(obsB)); weights < total-15 || weights > total+15 {
		t.Errorf("weights add to %d for %d requests", weights, total)
	}
	if m.Files == nil || m.Files.EventsSample != "mixed" || m.Files.VegetaResults != "" {
		t.Errorf("merged files %+v", m.Files)
	}
	if m.Requests.Total != uint64(len(obsA)+len(obsB)) {
		t.Errorf("merged total %d", m.Requests.Total)
	}
}
