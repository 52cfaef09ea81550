package results

import (
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

func TestRedactResult(t *testing.T) {
	r := secretResult(1, testStart)
	r.Error = `Post "` + r.URL + `": connection reset`
	c := redactResult(r)
	all := strings.Join([]string{c.URL, c.Error, string(c.Body)}, " ")
	for k, vs := range c.Headers {
		all += " " + k + "=" + strings.Join(vs, ",")
	}
	if strings.Contains(all, marker) {
		t.Fatalf("secret survived redaction: %s", all)
	}
	if !strings.Contains(c.URL, "/api/auth/refresh?refresh_token=") || !strings.Contains(c.Error, "connection reset") {
		t.Errorf("too much removed: %q %q", c.URL, c.Error)
	}
	if r.Headers.Get("X-CSRF-Token") != marker || len(r.Body) == 0 {
		t.Error("redaction modified the original result")
	}
	if got := redactSetCookie("__Host-refresh=abc"); got != "__Host-refresh=[redacted]" {
		t.Errorf("bare cookie: %q", got)
	}
}

func TestFormatText(t *testing.T) {
	r := NewRecorder(RecorderOptions{Start: testStart})
	r.Record(&Observation{Start: testStart, Kind: KindRefresh, Outcome: oracle.FailFork, Latency: time.Millisecond})
	s := r.Summary(RunMeta{Elapsed: time.Second, Config: map[string]any{"target": "http://x"}, Interrupted: true})
	Evaluate(s, DefaultThresholds())
	txt := FormatText(s)
	lines := strings.Split(txt, "\n")
	if lines[0] != "VERDICT: FAIL (2 of 16 thresholds failed)" {
		t.Errorf("first line %q", lines[0])
	}
	for _, want := range []string{"(interrupted)", "target=http://x", "1 total", "raw", "corrected",
		"FAILED", "fail_fork", "double spend", "race logouts", "✗ fail_fork==0"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q:\n%s", want, txt)
		}
	}
}
