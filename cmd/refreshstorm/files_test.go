package main

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/results"
)

// By default a run writes sampled events and no results.bin; --gzip and
// --vegeta-results compress and add, and report reads what was written.
func TestRunResultFileOptions(t *testing.T) {
	base := t.TempDir()
	plain, gz := filepath.Join(base, "plain"), filepath.Join(base, "gz")
	common := []string{"run", "--headless", "--sessions", "10", "--rate", "100", "--duration", "1s"}
	// The files are the point here, not the achieved rate (runPassed).
	if code, _, stderr := execCLI(t, context.Background(), append(common, "--out", plain)...); !runPassed(t, code, plain) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := execCLI(t, context.Background(), append(common, "--out", gz, "--gzip", "--events", "1/4", "--vegeta-results")...); !runPassed(t, code, gz) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(plain, results.FileResultsBin)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("results.bin without --vegeta-results: %v", err)
	}
	for _, f := range []string{"events.csv.gz", "results.bin.gz", results.FileReport} {
		if fi, err := os.Stat(filepath.Join(gz, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(gz, results.FileSummaryJSON))
	if err != nil {
		t.Fatal(err)
	}
	var s results.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Files == nil || s.Files.EventsSample != "1/4" || s.Files.Events != "events.csv.gz" || s.Files.VegetaResults != "results.bin.gz" ||
		s.Files.EventsRows == 0 || s.Files.EventsRows >= s.Requests.Total {
		t.Errorf("files %+v for %d requests", s.Files, s.Requests.Total)
	}
	// The bootstrap is recorded; a small pool leaves GOGC at 100.
	if b := s.Bootstrap; b == nil || b.Mode != "sign-in" || b.Sessions != 10 || b.Seconds <= 0 || b.PerSecond <= 0 || b.HeapBytes == 0 ||
		(os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" && b.GCPercent != 100) {
		t.Errorf("bootstrap %+v", b)
	}
	os.Remove(filepath.Join(gz, results.FileReport))
	if code, _, stderr := execCLI(t, context.Background(), "report", gz, "--format", "html"); code != 0 {
		t.Errorf("report of a gzip directory: exit %d %s", code, stderr)
	}
	if html, err := os.ReadFile(filepath.Join(gz, results.FileReport)); err != nil || !strings.Contains(string(html), `"ok_rotated":[`) {
		t.Errorf("report.html from events.csv.gz has no per-second outcomes: %v", err)
	}
	for _, bad := range [][]string{{"--events", "half"}, {"--vegeta-results=/tmp/r.bin"}} {
		code, _, stderr := execCLI(t, context.Background(), append(common, append(bad, "--out", filepath.Join(base, "bad"))...)...)
		if code != exitUsage || !strings.Contains(stderr, strings.SplitN(bad[0], "=", 2)[0]) {
			t.Errorf("%v: exit %d, %q", bad, code, stderr)
		}
	}
}

// serve --write-cookies writes ready sessions, whole, and refuses half
// of the flag pair.
func TestServeWritesReadySessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.csv")
	if code, _, stderr := execCLI(t, context.Background(), "serve", "--addr", "127.0.0.1:0", "--write-cookies", path); code != exitUsage || !strings.Contains(stderr, "--ready-sessions") {
		t.Errorf("--write-cookies alone: exit %d %q", code, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		code, _, _ := execCLI(t, ctx, "serve", "--addr", "127.0.0.1:0", "--demo-users", "3", "--write-cookies", path, "--ready-sessions", "7")
		done <- code
	}()
	var b []byte
	for deadline := time.Now().Add(20 * time.Second); len(b) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		b, _ = os.ReadFile(path)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 8 || lines[0] != "refresh,csrf,access" {
		t.Fatalf("cookies file: %d lines, first %q", len(lines), lines[0])
	}
	seen := map[string]bool{}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) != 3 || f[0] == "" || f[1] == "" || f[2] == "" || seen[f[0]] {
			t.Errorf("line %q", l)
		}
		seen[f[0]] = true
	}
}
