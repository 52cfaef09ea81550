package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type capacityResult struct {
	Schema          string   `json:"schema"`
	SustainableRate float64  `json:"sustainable_rate"`
	FirstBadRate    *float64 `json:"first_bad_rate"`
	Steps           []struct {
		Rate   float64  `json:"rate"`
		Pass   bool     `json:"pass"`
		Failed []string `json:"failed"`
	} `json:"steps"`
}

func runCapacityCLI(t *testing.T, args ...string) (int, string, capacityResult) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	base := []string{"capacity", "--out", dir, "--sessions", "10", "--start-rate", "80", "--factor", "1.5",
		"--step-requests", "150", "--step-min", "700ms", "--step-max", "1500ms", "--precision", "0.1"}
	code, stdout, stderr := execCLI(t, context.Background(), append(base, args...)...)
	var res capacityResult
	b, err := os.ReadFile(filepath.Join(dir, "capacity.json"))
	if err != nil {
		t.Fatalf("exit %d, no capacity.json: %v\n%s\n%s", code, err, stdout, stderr)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); err != nil {
		t.Errorf("no summary.json beside capacity.json: %v", err)
	}
	return code, stdout, res
}

func TestCapacityFindsTheServerKnee(t *testing.T) {
	// 2 workers × 10 ms = 200/s; the search must land near it.
	code, stdout, res := runCapacityCLI(t, "--server-policy", "strict,workers=2,service=10ms", "--chaos", "", "--min-rate", "10")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	if r := res.SustainableRate / 200; r < 0.6 || r > 1.15 {
		t.Errorf("sustainable %.0f/s against a 200/s server\n%s", res.SustainableRate, stdout)
	}
	if res.FirstBadRate == nil || *res.FirstBadRate <= res.SustainableRate {
		t.Errorf("first bad rate %v, sustainable %v", res.FirstBadRate, res.SustainableRate)
	}
	if res.Schema != "refreshstorm/capacity/v1" || len(res.Steps) < 3 || !strings.Contains(stdout, "sustainable rate: ") {
		t.Errorf("capacity output: %+v\n%s", res, stdout)
	}
}

func TestCapacityMinRateGate(t *testing.T) {
	code, _, res := runCapacityCLI(t, "--server-policy", "strict,workers=2,service=10ms", "--chaos", "", "--min-rate", "5000")
	if code != exitFailed || res.SustainableRate >= 5000 {
		t.Errorf("exit %d with sustainable %.0f, want %d below --min-rate", code, res.SustainableRate, exitFailed)
	}
}

func TestCapacityUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--factor", "1"}, {"--slo", "latency.p99<"}, {"--start-rate", "0"}} {
		code, _, stderr := execCLI(t, context.Background(), append([]string{"capacity"}, args...)...)
		if code != exitUsage || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
