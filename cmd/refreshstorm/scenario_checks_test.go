package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refreshstorm/refreshstorm/internal/hostile"
)

// TestScenarioValuesCheckedBeforeTheFirstRequest: every number, duration
// and grammar a scenario file can hold is checked before anything is
// sent: exit 2 naming the setting, and the target (real, on loopback)
// sees no request.
func TestScenarioValuesCheckedBeforeTheFirstRequest(t *testing.T) {
	srv, err := hostile.Start(hostile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	creds := writeFile(t, "users.csv", srv.CredentialsCSV())
	cases := []struct{ yaml, want string }{
		{"progress_interval: -1s\n", "--progress-interval -1s"},
		{"progress_interval: 0s\n", "--progress-interval 0s"},
		{"abort_after: -1s\n", "--abort-after -1s"},
		{"timing_margin: -1s\n", "--timing-margin"},
		{"probe_margin: -5ms\n", "--probe-margin"},
		{"timeout: 0s\n", "--timeout"},
		{"idle_timeout: -1s\n", "--idle-timeout"},
		{"max_retry_after: 0s\n", "--max-retry-after"},
		{"bootstrap_timeout: -1m\n", "--bootstrap-timeout"},
		{"duration: 0s\n", "--duration"},
		{"sessions: 0\n", "--sessions 0"},
		{"families_per_user: 0\n", "--families-per-user"},
		{"max_workers: -1\n", "--max-workers"},
		{"rate: -1\n", "--rate -1"},
		{"rate: .nan\n", "--rate NaN"},
		{"rate: .inf\n", "--rate +Inf"},
		{"policy: lenient\n", "--policy"},
		{"chaos: bogus=0.1\n", "--chaos"},
		{"thresholds: [\"latency.p99<25x\"]\n", "--threshold"},
		{"shard: 3/2\n", "--shard"},
		{"stages: 1s:abc\n", "--stages"},
		{"stages:\n  - duration: 1s\n    rate: fast\n", "--stages"},
	}
	for _, c := range cases {
		code, _, stderr := execCLI(t, context.Background(), "run", "--headless", "--target", srv.URL, "--credentials", creds,
			"--out", filepath.Join(t.TempDir(), "r"), "--config", writeFile(t, "s.yaml", c.yaml))
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.yaml, code, stderr, c.want)
		}
	}
	if n := srv.Requests(); n != 0 {
		t.Fatalf("the target got %d requests; every check must come before the first", n)
	}
}
