package results

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func shardMeta(scenario, shard string) RunMeta {
	m := testMeta(scenario)
	m.Config["shard"] = shard
	return m
}

// copyDir copies a results directory (a shard uploaded twice).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(from)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMergeRefusesDamagedAndIncompleteInputs(t *testing.T) {
	base := t.TempDir()
	obs := genObservations(rand.New(rand.NewPCG(3, 4)), testStart, 200, 2)
	one, two := filepath.Join(base, "one"), filepath.Join(base, "two")
	writeRun(t, one, testStart, append([]Observation(nil), obs...), shardMeta("scn", "1/2"), nil)
	writeRun(t, two, testStart, append([]Observation(nil), obs...), shardMeta("scn", "2/2"), nil)

	damaged := func(name string, damage func(dir string)) string {
		dir := filepath.Join(base, name)
		copyDir(t, two, dir)
		damage(dir)
		return dir
	}
	cut := func(file string, keep func(n int) int) func(string) {
		return func(dir string) {
			p := filepath.Join(dir, file)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:keep(len(b))], 0o644)
		}
	}
	cases := []struct {
		name   string
		dirs   []string
		opts   MergeOptions
		reason string
	}{
		{"events cut mid-row", []string{one, damaged("cutrow", cut(FileEvents, func(n int) int { return n - 7 }))}, MergeOptions{}, "events.csv: the last row is cut short"},
		{"results.bin truncated", []string{one, damaged("cutbin", cut(FileResultsBin, func(n int) int { return n - 3 }))}, MergeOptions{}, "results.bin: record"},
		{"hlog garbage", []string{one, damaged("badhlog", func(dir string) {
			f, _ := os.OpenFile(filepath.Join(dir, FileHlog), os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("0.0,1.0,2.0,not-base64!!\n")
			f.Close()
		})}, MergeOptions{}, "latency.hlog"},
		{"killed run", []string{one, damaged("killed", func(dir string) {
			os.Rename(filepath.Join(dir, FileEvents), filepath.Join(dir, FileEvents+partialSuffix))
		})}, MergeOptions{}, "events.csv.partial: left by a run that did not finish"},
		{"same shard copied", []string{one, two, damaged("copy", func(string) {})}, MergeOptions{}, "both are shard 2/2"},
		{"missing shard", []string{one}, MergeOptions{}, "shard 2/2 missing"},
		{"timeline second beyond the run", []string{one, damaged("farsecond", repeatLastRow(FileTimeline, "2000000000"))}, MergeOptions{}, "outside the run"},
		{"negative timeline second", []string{one, damaged("negsecond", repeatLastRow(FileTimeline, "-5"))}, MergeOptions{}, "outside the run"},
		{"shards started years apart", []string{one, damaged("year1", replaceIn(FileSummaryJSON, testStart.Format("2006-01-02"), "0001-01-02"))}, MergeOptions{}, "apart"},
		{"huge timeline cell", []string{one, damaged("hugecell", repeatLastRow(FileTimeline, strings.Repeat("9x", 50_000)))}, MergeOptions{}, "timeline.csv"},
		{"copy even with allow-partial", []string{two, damaged("copy2", func(string) {})}, MergeOptions{AllowPartial: true}, "both are shard 2/2"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(base, "out", c.name)
			_, err := Merge(c.dirs, out, c.opts)
			var mie *MergeInputError
			if !errors.As(err, &mie) || !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("case %d: got %.300v, want an input error with %q", i, err, c.reason)
			}
			if msg := err.Error(); len(msg) > 1000 || strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error of %d bytes or several lines: %.200q", len(msg), msg)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("refused merge wrote %s", out)
			}
			leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*merging*"))
			if len(leftovers) > 0 {
				t.Errorf("temporary directories left: %v", leftovers)
			}
		})
	}

	out := filepath.Join(base, "partial")
	s, err := Merge([]string{one}, out, MergeOptions{AllowPartial: true})
	if err != nil || !s.Partial {
		t.Fatalf("allow-partial: %v, partial %v", err, s != nil && s.Partial)
	}
	b, _ := os.ReadFile(filepath.Join(out, FileSummaryJSON))
	if !strings.Contains(string(b), `"partial": true`) {
		t.Error("summary.json does not record the partial merge")
	}
}

// repeatLastRow appends a copy of a CSV file's last row with its first
// field replaced.
func repeatLastRow(file, first string) func(dir string) {
	return func(dir string) {
		p := filepath.Join(dir, file)
		b, _ := os.ReadFile(p)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		_, rest, _ := strings.Cut(lines[len(lines)-1], ",")
		os.WriteFile(p, append(b, first+","+rest+"\n"...), 0o644)
	}
}

func replaceIn(file, old, new string) func(dir string) {
	return func(dir string) {
		p := filepath.Join(dir, file)
		b, _ := os.ReadFile(p)
		os.WriteFile(p, []byte(strings.ReplaceAll(string(b), old, new)), 0o644)
	}
}

// TestLoadDirErrorsAreBounded: compare and report read directories with
// LoadDir, not merge: a megabyte-long damaged cell or schema still gives
// a short error.
func TestLoadDirErrorsAreBounded(t *testing.T) {
	base := t.TempDir()
	good := filepath.Join(base, "good")
	writeRun(t, good, testStart, genObservations(rand.New(rand.NewPCG(1, 2)), testStart, 50, 2), testMeta("scn"), nil)
	huge := strings.Repeat("9x", 500_000)
	for name, damage := range map[string]func(string){
		"cell":   repeatLastRow(FileTimeline, huge),
		"header": replaceIn(FileTimeline, "second,", huge+","),
		"schema": replaceIn(FileSummaryJSON, `"schema": "`, `"schema": "`+huge),
	} {
		dir := filepath.Join(base, name)
		copyDir(t, good, dir)
		damage(dir)
		_, err := LoadDir(dir)
		if err == nil {
			t.Errorf("%s: damaged directory loaded", name)
			continue
		}
		if msg := err.Error(); len(msg) > 500 || strings.ContainsAny(msg, "\n\r") {
			t.Errorf("%s: error of %d bytes: %.200q", name, len(msg), msg)
		}
	}
}
