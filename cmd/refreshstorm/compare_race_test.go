package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/refreshstorm/refreshstorm/authserver"
)

// switchable serves with whichever server it holds: one address, so that
// runs before and after the switch are one scenario.
type switchable struct {
	cur atomic.Pointer[authserver.Server]
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.cur.Load().ServeHTTP(w, r) }

// TestCompareRaceLogoutsRegression: the same address answers from a
// grace=10s server, then from a strict one. Under lost-response chaos a
// client's retry is accepted by the first and logs the user out with the
// second, so race logouts per 1,000 go from 0 to many: compare exits 1
// and names them in the Markdown's first line.
func TestCompareRaceLogoutsRegression(t *testing.T) {
	users := authserver.DemoUsers(20)
	server := func(policy string) *authserver.Server {
		pol, err := authserver.ParsePolicy(policy)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := authserver.New(authserver.Config{Policy: pol, Users: users})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	sw := &switchable{}
	sw.cur.Store(server("grace=10s"))
	ts := httptest.NewServer(sw)
	defer ts.Close()
	creds := writeDemoCredentials(t, users)
	base := t.TempDir()
	run := func(name string) string {
		out := filepath.Join(base, name)
		// Declared strict on both runs, so that they are one scenario: the
		// grace server's accepted retries are fail_replay_accepted then,
		// which the strict server no longer has; race logouts got worse.
		code, stdout, stderr := execCLI(t, context.Background(), "run", "--headless", "--target", ts.URL,
			"--credentials", creds, "--allow-insecure-cookies", "--policy", "strict", "--chaos", "lost-response=0.1",
			"--sessions", "20", "--rate", "100", "--duration", "1500ms", "--out", out)
		if code != exitPass && code != exitFailed {
			t.Fatalf("%s: exit %d\n%s\n%s", name, code, stdout, stderr)
		}
		return out
	}
	graceDir := run("grace")
	sw.cur.Store(server("strict"))
	strictDir := run("strict")

	out, code := execCmd(newCompareCmd(), graceDir, strictDir, "--format", "markdown")
	line, _, _ := strings.Cut(out, "\n")
	if code != exitFailed || !strings.Contains(line, "REGRESSION") || !strings.Contains(line, "race_logouts.per_1000") {
		t.Fatalf("grace=10s → strict: exit %d\n%s", code, out)
	}
	t.Logf("grace=10s → strict:\n%s", out)
	// The other way round is no regression of race logouts.
	out, code = execCmd(newCompareCmd(), strictDir, graceDir, "--format", "markdown")
	if line, _, _ := strings.Cut(out, "\n"); strings.Contains(line, "race_logouts") {
		t.Errorf("strict → grace=10s: exit %d\n%s", code, out)
	}
}
