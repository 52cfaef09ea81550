package results

import (
	"strings"
	"testing"
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
