package report

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func summary(t *testing.T, fork bool, lat time.Duration) *results.Summary {
	t.Helper()
	r := results.NewRecorder(results.RecorderOptions{Start: start})
	for i := 0; i < 500; i++ {
		o := oracle.OKRotated
		if fork && i == 0 {
			o = oracle.FailFork
		}
		d := lat + time.Duration(i%50)*10*time.Microsecond
		r.Record(&results.Observation{Start: start.Add(time.Duration(i) * 4 * time.Millisecond), Kind: results.KindRefresh, Outcome: o, Latency: d, Corrected: d})
	}
	s := r.Summary(results.RunMeta{Elapsed: 2 * time.Second, ScenarioID: "scn", Interrupted: fork,
		Config: map[string]any{"target": "http://x", "rate": 250.0, "user_thresholds": []string{"latency.p99<50ms"}}})
	ths := results.DefaultThresholds()
	results.Evaluate(s, ths)
	return s
}

func TestFormatText(t *testing.T) {
	txt := FormatText(summary(t, true, time.Millisecond))
	lines := strings.Split(txt, "\n")
	if !strings.HasPrefix(lines[0], "VERDICT: FAIL (1 of ") {
		t.Errorf("first line %q", lines[0])
	}
	for _, want := range []string{"(interrupted)", "target=http://x", `user_thresholds=["latency.p99<50ms"]`, "raw", "corrected",
		"FAILED", "fail_fork", "double spend", "race logouts", "✗ fail_fork==0"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, `\u003c`) {
		t.Errorf("JSON escape shown to people:\n%s", txt)
	}
}

func TestWriteFilesWithComparison(t *testing.T) {
	base, cur := summary(t, false, time.Millisecond), summary(t, false, 21*time.Millisecond)
	c := results.Compare("base", base, "cur", cur, results.CompareOptions{})
	results.FoldBaseline(cur, c)
	dir := t.TempDir()
	if err := WriteFiles(dir, cur, Options{Comparison: c}); err != nil {
		t.Fatal(err)
	}
	txt, _ := os.ReadFile(filepath.Join(dir, results.FileSummaryText))
	if !strings.HasPrefix(string(txt), "VERDICT: FAIL (regression against baseline: latency.p50") {
		t.Errorf("summary.txt:\n%s", txt)
	}
	b, _ := os.ReadFile(filepath.Join(dir, results.FileJUnit))
	var doc junitSuites
	if err := xml.Unmarshal(b, &doc); err != nil || len(doc.Suites) != 3 {
		t.Fatalf("junit: %v %+v", err, doc)
	}
	cmp := doc.Suites[2]
	if cmp.Name != "refreshstorm.compare" || cmp.Failures == 0 || cmp.Failures > cmp.Tests {
		t.Errorf("compare suite %+v", cmp)
	}
	b, _ = os.ReadFile(filepath.Join(dir, results.FileReport))
	html := string(b)
	external := regexp.MustCompile(`(?i)(src|href|xlink:href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?(https?:)?//|@import|<script[^>]+src|<link|<img|<iframe`)
	if m := external.FindString(html); m != "" {
		t.Errorf("report.html references something external: %q", m)
	}
	for _, want := range []string{"Comparison with the baseline", "REGRESSION", "default-src 'none'", "uPlot", `id="chart-latency"`, `"secs":`} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	md := CompareMarkdown(c)
	if first, _, _ := strings.Cut(md, "\n"); !strings.Contains(first, "REGRESSION") || !strings.Contains(first, "latency.p99") {
		t.Errorf("markdown first line %q", first)
	}
	if !strings.Contains(md, "| `latency.p99` |") || !strings.Contains(md, "↑") {
		t.Errorf("markdown table:\n%s", md)
	}
}
