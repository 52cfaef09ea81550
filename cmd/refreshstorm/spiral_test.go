package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestFamilyCapSpiral: with more families per user than the server keeps,
// the harness's own sign-ins evict its families. The run stops with a
// configuration problem (exit 2, advice naming --families-per-user), not
// with the server's fail_unexpected_logout; within the cap it passes.
func TestFamilyCapSpiral(t *testing.T) {
	cases := []struct {
		perUser string
		code    int
	}{{"6", exitUsage}, {"5", exitPass}}
	for _, c := range cases {
		t.Run("families-per-user="+c.perUser, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "run")
			code, stdout, stderr := execCLI(t, context.Background(), "run", "--headless", "--sessions", "24",
				"--families-per-user", c.perUser, "--server-policy", "strict,family-cap=5",
				"--duration", "3s", "--rate", "40", "--out", out)
			// Within the cap the spiral is the point, not the achieved rate.
			if code != c.code && (c.code != exitPass || !runPassed(t, code, out)) {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, c.code, stderr, stdout)
			}
			sum := readSummary(t, out)
			problem, _ := sum["config_problem"].(string)
			logouts := sum["outcomes"].(map[string]any)["fail_unexpected_logout"].(float64)
			if logouts != 0 {
				t.Errorf("fail_unexpected_logout %v: evictions by the harness's own sign-ins blamed on the server", logouts)
			}
			if c.code == exitPass {
				if problem != "" {
					t.Errorf("config_problem %q within the cap", problem)
				}
				return
			}
			for _, want := range []string{"family-cap spiral", "--families-per-user 6", "cap of 5 or less"} {
				if !strings.Contains(stderr, want) || !strings.Contains(problem, want) {
					t.Errorf("stderr %q / config_problem %q lack %q", stderr, problem, want)
				}
			}
			if sum["verdict"] != "fail" || !strings.Contains(stdout, "configuration problem") {
				t.Errorf("verdict %v; stdout:\n%s", sum["verdict"], stdout)
			}
			if sum["elapsed_s"].(float64) > 2.5 {
				t.Errorf("ran %.1fs: the spiral did not stop the run", sum["elapsed_s"])
			}
		})
	}
}
