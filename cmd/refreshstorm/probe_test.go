package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/refreshstorm/refreshstorm/authserver"
)

// probeExec runs the probe command with args and returns the exit code
// and what it printed.
func probeExec(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := newProbeCmd()
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return exitCodeOf(err), out.String(), errOut.String()
}

func probeCredsFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// probeTokenShape matches anything shaped like a token: 32 or more
// base64url characters in a row.
var probeTokenShape = regexp.MustCompile(`[A-Za-z0-9_-]{32,}`)

func TestProbeCLI(t *testing.T) {
	creds := probeCredsFile(t, "identifier,password\nalice,pw\n")
	t.Run("strict passes", func(t *testing.T) {
		t.Parallel()
		code, out, stderr := probeExec(t, "--server-policy", "strict", "--max-delay", "1s")
		if code != exitPass || !strings.Contains(out, "verdict: PASS") || !strings.Contains(out, "0 (strict)") {
			t.Errorf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
		}
	})
	t.Run("defect fails", func(t *testing.T) {
		t.Parallel()
		code, out, stderr := probeExec(t, "--server-policy", "strict,defect=no-csrf", "--max-delay", "1s")
		if code != exitFailed || !strings.Contains(out, "fail_csrf_bypass") || !strings.Contains(out, "verdict: FAIL") {
			t.Errorf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
		}
	})
	t.Run("json against a target", func(t *testing.T) {
		t.Parallel()
		sp, err := authserver.ParsePolicy("grace=500ms,defect=reuse-no-revoke")
		if err != nil {
			t.Fatal(err)
		}
		srv, err := authserver.Start("127.0.0.1:0", authserver.Config{Policy: sp, Users: authserver.DemoUsers(2)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		users := probeCredsFile(t, "identifier,password\nuser-0001,pw-user-0001\nuser-0002,pw-user-0002\n")
		code, out, stderr := probeExec(t, "--target", srv.URL, "--credentials", users, "--max-delay", "1s", "--json")
		if code != exitFailed {
			t.Errorf("exit %d, want 1 (fail_revocation_missing)\nstderr:\n%s", code, stderr)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, out)
		}
		if doc["schema"] != "refreshstorm/probe/v2" || doc["verdict"] != "fail" || doc["reuse"] != "reject_only" {
			t.Errorf("schema %v verdict %v reuse %v", doc["schema"], doc["verdict"], doc["reuse"])
		}
		for _, key := range []string{"grace", "window_users", "duplicate_gets", "revocation", "concurrent", "csrf", "cookies", "experiments", "violations", "weaknesses"} {
			if _, ok := doc[key]; !ok {
				t.Errorf("JSON lacks %q", key)
			}
		}
		if !strings.Contains(out, `"fail_revocation_missing"`) {
			t.Errorf("JSON does not list fail_revocation_missing:\n%s", out)
		}
		if m := probeTokenShape.FindAllString(out, -1); len(m) > 0 {
			t.Errorf("JSON contains token-shaped strings %q", m)
		}
		if strings.Contains(out, "pw-user-") {
			t.Error("JSON contains a password")
		}
	})
	t.Run("unreachable target", func(t *testing.T) {
		t.Parallel()
		code, _, stderr := probeExec(t, "--target", "http://127.0.0.1:1", "--credentials", creds, "--max-delay", "1s")
		if code != exitCannotRun || !strings.Contains(stderr, "unreachable") {
			t.Errorf("exit %d, stderr %q; want 3", code, stderr)
		}
	})
	t.Run("usage errors", func(t *testing.T) {
		t.Parallel()
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--no-such-flag"}, "unknown flag"},
			{[]string{"--max-delay", "0s"}, "--max-delay"},
			{[]string{"--max-delay", "11m"}, "--max-delay"},
			{[]string{"--timeout", "-1s"}, "--timeout"},
			{[]string{"--rounds", "0"}, "--rounds"},
			{[]string{"--reuse", "forgive"}, "--reuse"},
			{[]string{"--reuse", "reject,defect=non-atomic"}, "--reuse"},
			{[]string{"--access", "sometimes"}, "--access"},
			{[]string{"--server-policy", "strict,defect=teleport"}, "--server-policy"},
			{[]string{"--target", "http://127.0.0.1:1"}, "--credentials"},
			{[]string{"--credentials", creds}, "--target"},
			{[]string{"--target", "http://127.0.0.1:1", "--credentials", creds, "--server-policy", "strict"}, "--server-policy"},
			{[]string{"--target", "ftp://x", "--credentials", creds}, "--target"},
			{[]string{"extra-arg"}, "unknown command"},
		} {
			code, _, stderr := probeExec(t, c.args...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
			}
		}
	})
}
