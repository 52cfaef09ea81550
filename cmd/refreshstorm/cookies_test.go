package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/targets"
)

// TestRunWithImportedCookies signs families in outside the harness, hands
// them over with --cookies (some lines without a CSRF token, which the
// harness then fetches), and checks they rotate and that no imported
// token reaches the output or the result files.
func TestRunWithImportedCookies(t *testing.T) {
	url, creds := faultyTarget(t, 6, func(h http.Handler) http.Handler { return h })
	raw, _ := os.ReadFile(creds)
	prof, err := targets.NewCookieProfile(targets.CookieConfig{BaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var secrets []string
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		id, pw, _ := strings.Cut(line, ",")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		f, err := prof.SignIn(ctx, http.DefaultClient, targets.Credential{Identifier: id, Password: pw})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, f.Refresh, f.CSRF, f.Access)
		if i%2 == 0 {
			lines = append(lines, f.Refresh)
		} else {
			lines = append(lines, fmt.Sprintf("%s,%s,%s", f.Refresh, f.CSRF, f.Access))
		}
	}
	cookies := writeFile(t, "cookies.csv", "refresh,csrf,access\n"+strings.Join(lines, "\n")+"\n")
	out := filepath.Join(t.TempDir(), "r")
	code, stdout, stderr := execCLI(t, context.Background(), "run", "--headless", "--target", url, "--cookies", cookies,
		"--sessions", "5", "--rate", "40", "--duration", "1s", "--out", out)
	if !runPassed(t, code, out) { // importing is the point, not the achieved rate
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	doc := readSummary(t, out)
	if outcome(doc, "ok_rotated") < 20 || doc["config"].(map[string]any)["shard_sessions"].(float64) != 5 {
		t.Fatalf("outcomes %v config %v", doc["outcomes"], doc["config"])
	}
	entries, _ := os.ReadDir(out)
	texts := []string{stdout, stderr}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(out, e.Name()))
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Fatal("an imported token reached the output or a result file")
			}
		}
	}

	for args, want := range map[string]string{
		"--cookies " + cookies:                                                   "--cookies imports sessions of a --target",
		"--target " + url + " --cookies /nonexistent":                            "--cookies: cookies file",
		"--target " + url + " --cookies " + writeFile(t, "bad.csv", "a,b,c,d\n"): "bad.csv:1: want refresh[,csrf[,access]]",
	} {
		code, _, stderr := execCLI(t, context.Background(), append([]string{"run"}, strings.Fields(args)...)...)
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d %q, want 2 and %q", args, code, stderr, want)
		}
	}
}
