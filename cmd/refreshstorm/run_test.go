package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// execCLI runs the root command with args and returns the exit code and
// what it printed.
func execCLI(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return exitCodeOf(err), out.String(), errOut.String()
}

// writeDemoCredentials writes the embedded server's demo users
// (authserver.DemoUsers) as a credentials CSV, in identifier order.
func writeDemoCredentials(t *testing.T, users map[string]string) string {
	t.Helper()
	var csv strings.Builder
	for i := 1; i <= len(users); i++ {
		id := fmt.Sprintf("user-%04d", i)
		fmt.Fprintf(&csv, "%s,%s\n", id, users[id])
	}
	return writeFile(t, "users.csv", csv.String())
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunUsageErrorsExit2(t *testing.T) {
	creds := writeFile(t, "users.csv", "identifier,password\nalice,pw\n")
	scenarioBad := writeFile(t, "s.yaml", "rate: 10\nbogus_key: 1\n")
	scenarioBadDuration := writeFile(t, "d.yaml", "rate: 10\nduration: 3q\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--rate", "-1"}, "--rate"},
		{[]string{"run", "--sessions", "0"}, "--sessions"},
		{[]string{"run", "--policy", "lenient"}, "--policy"},
		{[]string{"run", "--chaos", "bogus=0.1"}, "unknown kind"},
		{[]string{"run", "--chaos", "replay=0.5,csrf=0.6"}, "more than 1"},
		{[]string{"run", "--threshold", "latency.p99<25x"}, "--threshold"},
		{[]string{"run", "--server-policy", "strict,defect=teleport"}, "--server-policy"},
		{[]string{"run", "--target", "http://127.0.0.1:1"}, "--credentials"},
		{[]string{"run", "--target", "http://127.0.0.1:1", "--credentials", creds, "--sessions", "2"}, "need 2 users"},
		{[]string{"run", "--config", scenarioBad}, ":2: bogus_key: unknown key"},
		{[]string{"run", "--config", scenarioBadDuration}, ":2: duration: want a duration like 10s, got string"},
		{[]string{"run", "--shard", "3/2"}, "--shard"},
		{[]string{"run", "--no-such-flag"}, "unknown flag"},
	}
	for _, c := range cases {
		code, _, stderr := execCLI(t, context.Background(), c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

func TestRunUnreachableTargetExit3(t *testing.T) {
	creds := writeFile(t, "users.csv", "alice,pw\n")
	code, _, stderr := execCLI(t, context.Background(), "run", "--headless", "--target", "http://127.0.0.1:1",
		"--credentials", creds, "--sessions", "1", "--duration", "1s", "--out", filepath.Join(t.TempDir(), "r"))
	if code != exitCannotRun || !strings.Contains(stderr, "bootstrap") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func readSummary(t *testing.T, dir string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestRunEmbeddedPassesAndDefectFails(t *testing.T) {
	out := filepath.Join(t.TempDir(), "pass")
	code, stdout, stderr := execRunSteady(t, out, "run", "--headless", "--duration", "1s", "--rate", "50", "--sessions", "10", "--out", out)
	if code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if doc := readSummary(t, out); doc["verdict"] != "pass" {
		t.Fatalf("verdict %v", doc["verdict"])
	}
	if !strings.Contains(stdout, "VERDICT: PASS") {
		t.Fatalf("summary not printed:\n%s", stdout)
	}

	out = filepath.Join(t.TempDir(), "fail")
	code, stdout, _ = execCLI(t, context.Background(), "run", "--headless", "--duration", "1s", "--rate", "50", "--sessions", "10",
		"--server-policy", "strict,defect=no-csrf", "--chaos", "csrf=0.3", "--out", out)
	if code != exitFailed {
		t.Fatalf("defect run exit %d\n%s", code, stdout)
	}
	doc := readSummary(t, out)
	if outcomes := doc["outcomes"].(map[string]any); outcomes["fail_csrf_bypass"].(float64) == 0 {
		t.Fatalf("no fail_csrf_bypass: %v", outcomes)
	}
}

func TestRunInterruptedWritesResultsExit130(t *testing.T) {
	out := filepath.Join(t.TempDir(), "int")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(1500 * time.Millisecond)
		cancel()
	}()
	code, stdout, stderr := execCLI(t, ctx, "run", "--headless", "--duration", "1m", "--rate", "50", "--sessions", "10", "--out", out)
	if code != exitInterrupted {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	doc := readSummary(t, out)
	if doc["interrupted"] != true {
		t.Fatalf("interrupted = %v", doc["interrupted"])
	}
	if req := doc["requests"].(map[string]any); req["total"].(float64) == 0 {
		t.Fatal("no requests recorded before the interrupt")
	}
}

func TestScenarioFileAndFlagOverride(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sc")
	sc := writeFile(t, "s.yaml", "sessions: 5\nrate: 20\nduration: 5s\nheadless: true\nthresholds:\n  - requests.total>1\n")
	code, stdout, stderr := execCLI(t, context.Background(), "run", "--config", sc, "--duration", "1s", "--out", out)
	if !runPassed(t, code, out) { // the configuration is the point, not the achieved rate
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	doc := readSummary(t, out)
	cfg := doc["config"].(map[string]any)
	if cfg["sessions"].(float64) != 5 || cfg["duration"] != "1s" {
		t.Fatalf("config %v: want sessions from the file and duration from the flag", cfg)
	}
	found := false
	for _, th := range doc["thresholds"].([]any) {
		if th.(map[string]any)["expr"] == "requests.total>1" {
			found = true
		}
	}
	if !found {
		t.Fatal("scenario threshold not evaluated")
	}
}
