package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// makeResultsDir writes a small finished results directory.
func makeResultsDir(t *testing.T, path, scenario string, failures int) {
	t.Helper()
	d, err := results.CreateDir(path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rec := results.NewRecorder(results.RecorderOptions{Start: start, Duration: 2 * time.Second, Dir: d})
	for i := 0; i < 200; i++ {
		out := oracle.OKRotated
		if i < failures {
			out = oracle.FailFork
		}
		rec.Record(&results.Observation{
			Start: start.Add(time.Duration(i) * 10 * time.Millisecond), Seq: uint64(i), Session: "s", Family: "f",
			Kind: results.KindRefresh, Status: 200, Outcome: out, Latency: time.Duration(1+i%7) * time.Millisecond,
		})
	}
	s := rec.Summary(results.RunMeta{ScenarioID: scenario, Elapsed: 2 * time.Second, Config: map[string]any{"rate": 100}})
	results.Evaluate(s, results.DefaultThresholds())
	if err := d.Finish(s); err != nil {
		t.Fatal(err)
	}
}

func execCmd(cmd *cobra.Command, args ...string) (string, int) {
	var out bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	err := cmd.Execute()
	if err != nil && !isSilentVerdict(err) {
		out.WriteString("ERROR: " + err.Error())
	}
	return out.String(), exitCodeOf(err)
}

func TestReportCmd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	makeResultsDir(t, dir, "scn", 0)

	out, code := execCmd(newReportCmd(), dir)
	if code != exitPass || !strings.HasPrefix(out, "VERDICT: PASS") {
		t.Fatalf("text: %d %q", code, out)
	}
	for _, tc := range []struct{ format, file string }{{"html", results.FileReport}, {"junit", results.FileJUnit}} {
		p := filepath.Join(dir, tc.file)
		os.Remove(p)
		out, code := execCmd(newReportCmd(), dir, "--format", tc.format)
		if code != exitPass || strings.TrimSpace(out) != p {
			t.Fatalf("%s: %d %q", tc.format, code, out)
		}
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Fatalf("%s not regenerated: %v", tc.file, err)
		}
	}

	if out, code := execCmd(newReportCmd(), dir, "--format", "pdf"); code != exitUsage || !strings.Contains(out, `--format "pdf"`) {
		t.Errorf("bad format: %d %q", code, out)
	}
	if out, code := execCmd(newReportCmd(), filepath.Join(dir, "missing")); code != exitUsage || !strings.Contains(out, "does not exist") {
		t.Errorf("missing dir: %d %q", code, out)
	}
	if _, code := execCmd(newReportCmd()); code != exitUsage {
		t.Errorf("no args: %d", code)
	}
}

func TestMergeCmd(t *testing.T) {
	base := t.TempDir()
	a, b, c, bad := filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "c"), filepath.Join(base, "bad")
	makeResultsDir(t, a, "scn", 0)
	makeResultsDir(t, b, "scn", 0)
	makeResultsDir(t, c, "scn", 3)
	makeResultsDir(t, bad, "other", 0)

	out, code := execCmd(newMergeCmd(), a, b, "--out", filepath.Join(base, "ab"))
	if code != exitPass || !strings.HasPrefix(out, "VERDICT: PASS") || !strings.Contains(out, "400 total") {
		t.Fatalf("merge: %d %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(base, "ab", results.FileSummaryJSON)); err != nil {
		t.Fatal(err)
	}

	out, code = execCmd(newMergeCmd(), a, c, "--out", filepath.Join(base, "ac"))
	if code != exitFailed || !strings.HasPrefix(out, "VERDICT: FAIL") || strings.Contains(out, "ERROR") {
		t.Errorf("failing verdict: %d %q", code, out)
	}

	out, code = execCmd(newMergeCmd(), a, bad, "--out", filepath.Join(base, "abad"))
	if code != exitUsage || !strings.Contains(out, "different scenarios") || !strings.Contains(out, bad) {
		t.Errorf("different scenarios: %d %q", code, out)
	}
	if _, code := execCmd(newMergeCmd(), a, b); code != exitUsage {
		t.Errorf("no --out: %d", code)
	}
	if out, code := execCmd(newMergeCmd(), a, b, "--out", a); code != exitUsage || !strings.Contains(out, "not empty") {
		t.Errorf("non-empty --out: %d %q", code, out)
	}
	if _, code := execCmd(newMergeCmd(), "--out", filepath.Join(base, "x")); code != exitUsage {
		t.Errorf("no dirs: %d", code)
	}
}
