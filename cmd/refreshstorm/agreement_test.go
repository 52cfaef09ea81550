package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestProbeAndRunAgree runs `probe` and `run` (every chaos kind mixed in)
// against the same embedded server, for every policy and defect mode: the
// set of fail_* outcomes each reports must be the same, since both are
// judged by the same oracle.
func TestProbeAndRunAgree(t *testing.T) {
	const chaos = "lost-response=0.08:100ms,concurrent=0.08:3,replay=0.08:300ms,csrf=0.08,stale-cookie=0.08"
	cases := []struct{ server, declared string }{
		{"strict", "strict"},
		{"strict,reuse=reject", "strict,reuse=reject"},
		{"grace=1s", "grace=1s"},
		{"strict,defect=non-atomic", "strict"},
		{"strict,defect=reuse-no-revoke", "strict"},
		{"strict,defect=zombie", "strict"},
		{"strict,defect=no-csrf", "strict"},
		{"strict,defect=csrf-consumes", "strict"},
		{"strict,defect=accept-rotated", "strict"},
		{"strict,defect=revoke-on-concurrent-only", "strict"},
		{"grace=1s,defect=grace-any-ancestor", "grace=1s"},
	}
	for _, c := range cases {
		t.Run(c.server, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := execCLI(t, context.Background(), "probe", "--server-policy", c.server, "--max-delay", "3s", "--rounds", "3", "--json")
			if code != exitPass && code != exitFailed {
				t.Fatalf("probe exit %d: %s", code, stderr)
			}
			var fp struct {
				Violations []struct{ Key string } `json:"violations"`
			}
			if err := json.Unmarshal([]byte(stdout), &fp); err != nil {
				t.Fatalf("probe JSON: %v\n%s", err, stdout)
			}
			var fromProbe []string
			for _, v := range fp.Violations {
				if !slices.Contains(fromProbe, v.Key) {
					fromProbe = append(fromProbe, v.Key)
				}
			}
			slices.Sort(fromProbe)

			out := filepath.Join(t.TempDir(), "run")
			code, stdout, stderr = execCLI(t, context.Background(), "run", "--headless", "--duration", "2s", "--rate", "60",
				"--sessions", "20", "--server-policy", c.server, "--policy", c.declared, "--chaos", chaos, "--out", out)
			if code != exitPass && code != exitFailed {
				t.Fatalf("run exit %d: %s\n%s", code, stderr, stdout)
			}
			var fromRun []string
			for k, v := range readSummary(t, out)["outcomes"].(map[string]any) {
				if strings.HasPrefix(k, "fail_") && v.(float64) > 0 {
					fromRun = append(fromRun, k)
				}
			}
			slices.Sort(fromRun)
			t.Logf("AGREEMENT %-45s probe=%v run=%v", c.server, fromProbe, fromRun)
			if !slices.Equal(fromProbe, fromRun) {
				t.Errorf("probe reports %v, run reports %v", fromProbe, fromRun)
			}
		})
	}
}
