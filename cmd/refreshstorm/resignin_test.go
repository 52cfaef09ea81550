package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refreshstorm/refreshstorm/internal/hostile"
	"github.com/refreshstorm/refreshstorm/results"
)

// TestReSignInCookieAttributesAreChecked: a target whose sign-ins set
// __Host- cookies without Secure, on a path and a foreign domain, is
// reported for the sign-ins made during the run too (families replaced
// after replay chaos revoked them), not only for the first ones.
func TestReSignInCookieAttributesAreChecked(t *testing.T) {
	srv, err := hostile.Start(hostile.Options{Mode: hostile.InsecureHost, Step: hostile.SignIn, Users: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "r")
	code, stdout, stderr := execCLI(t, context.Background(), "run", "--headless", "--target", srv.URL,
		"--credentials", writeFile(t, "users.csv", srv.CredentialsCSV()), "--sessions", "5", "--families-per-user", "2",
		"--rate", "20", "--duration", "2s", "--chaos", "replay=0.5:50ms", "--out", out)
	if code != exitFailed {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	events, err := os.ReadFile(filepath.Join(out, results.FileEvents))
	if err != nil {
		t.Fatal(err)
	}
	var first, again int
	for _, line := range strings.Split(string(events), "\n") {
		if !strings.Contains(line, "fail_cookie_attrs") {
			continue
		}
		switch {
		case strings.Contains(line, "re-sign-in: "):
			again++
		case strings.Contains(line, "sign-in: "):
			first++
		}
		if !strings.Contains(line, "Secure") {
			t.Errorf("detail does not say what is wrong: %s", line)
		}
	}
	doc := readSummary(t, out)
	resigned, _ := doc["re_signed_in"].(float64)
	t.Logf("first sign-ins %d, re-sign-ins %v, re-sign-in findings %d", first, resigned, again)
	if first != 5 {
		t.Errorf("%d first sign-in findings, want one per session (5)", first)
	}
	if resigned == 0 {
		t.Fatal("no family was replaced: the test proves nothing")
	}
	if again == 0 {
		t.Errorf("%v re-sign-ins, none reported with fail_cookie_attrs \"re-sign-in: …\"", resigned)
	}
}
