package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunTagsNetworkChaos runs net-reset and a partition through the CLI
// against a grace server: the summary counts both kinds and what they
// produced, no fail_* is reported, and events.csv tags their rows.
func TestRunTagsNetworkChaos(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := execCLI(t, context.Background(), "run", "--headless", "--server-policy", "grace=2s", "--policy", "grace=2s",
		"--chaos", "net-reset=0.2,partition=300ms@500ms", "--duration", "2s", "--rate", "30", "--sessions", "10",
		"--events", "all", "--out", out)
	// The exit code is not the check: the partition's refusals are
	// undecided requests, which a default threshold bounds.
	doc := readSummary(t, out)
	chaos := doc["chaos"].(map[string]any)
	produced := chaos["produced"].(map[string]any)
	reset, _ := produced["net-reset"].(map[string]any)
	part, _ := produced["partition"].(map[string]any)
	if reset["ok_grace_same_child"] == nil || part["transport_error"] == nil || part["ok_rotated"] == nil {
		t.Fatalf("exit %d, produced %v\n%s\n%s", code, produced, stdout, stderr)
	}
	for o := range doc["outcomes"].(map[string]any) {
		if n := doc["outcomes"].(map[string]any)[o].(float64); strings.HasPrefix(o, "fail_") && n > 0 {
			t.Errorf("%s = %v", o, n)
		}
	}
	events, err := os.ReadFile(filepath.Join(out, "events.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{",net-reset,", ",partition,", "connection was reset before the client read the answer", "partition: connection refused"} {
		if !strings.Contains(string(events), want) {
			t.Errorf("events.csv has no %q", want)
		}
	}
}
