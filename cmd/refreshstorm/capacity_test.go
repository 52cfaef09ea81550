package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/results"
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
	args := []string{"--server-policy", "strict,workers=2,service=10ms", "--chaos", "", "--min-rate", "10"}
	code, stdout, res := runCapacityCLI(t, args...)
	// A stall of this machine during a step breaks its p99 and its rate
	// like a knee would; --confirm re-runs a failing step once, but a busy
	// machine can stall both, and the climb stops early. A stall never
	// makes the server look faster, so only a knee found too low is
	// searched for once more; the second search is the answer.
	if res.SustainableRate < 0.6*200 {
		t.Logf("sustainable %.0f/s against a 200/s server: the climb stopped early (a stall of this machine?); searching once more\n%s", res.SustainableRate, stdout)
		code, stdout, res = runCapacityCLI(t, args...)
	}
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

// A step is judged on its steady rate: an opening burst that makes the
// whole step look on target does not hide a shortfall after it.
func TestCapacityJudgesTheSteadyRate(t *testing.T) {
	var st stepper
	for _, e := range capacityInvariants {
		st.slo = append(st.slo, results.MustParseThreshold(e))
	}
	step := results.StageSummary{Name: "step1", DurationS: 4, Requested: 4000, RequestedRate: 1000,
		Achieved: 3990, AchievedRate: 997.5, SteadyRate: 900, Outcomes: map[string]uint64{"ok_rotated": 3990}}
	if failed := st.failed(&step); len(failed) != 1 || failed[0] != "rate.shortfall<0.05" {
		t.Errorf("a 900/s steady rate of 1000/s asked: failed %v, want the shortfall", failed)
	}
	step.SteadyRate = 990
	if failed := st.failed(&step); len(failed) != 0 {
		t.Errorf("a 990/s steady rate of 1000/s asked: failed %v", failed)
	}
	if got := steady(step).AchievedRate; got != 990 {
		t.Errorf("achieved %v, want the steady 990", got)
	}
}

// With --confirm a failing step is re-run once: a passing re-run keeps
// the climb going and its rate counts as good; a failing one is the knee.
func TestCapacityConfirmsAFailingStep(t *testing.T) {
	st := stepper{start: 100, factor: 2, precision: 0.1, maxRate: 1e5, samples: 100, minStep: time.Second, maxStep: time.Second,
		maxSteps: 20, confirm: true}
	for _, e := range capacityInvariants {
		st.slo = append(st.slo, results.MustParseThreshold(e))
	}
	stage := func(rate float64, ok bool) results.StageSummary {
		got := rate
		if !ok {
			got = rate * 0.5
		}
		return results.StageSummary{DurationS: 1, Requested: rate, RequestedRate: rate, Achieved: uint64(got),
			AchievedRate: got, Shortfall: 1 - got/rate, Outcomes: map[string]uint64{"ok_rotated": uint64(got)}}
	}
	st.step(100)
	// 100 passes; 200 stalls once, then passes; 400 fails twice.
	plan := []bool{true, false, true, false, false}
	var sum results.Summary
	for i, ok := range plan {
		rate := st.rates[i]
		sum.Stages = append(sum.Stages, stage(rate, ok))
		next, more := st.next(i, sum.Stages[i])
		if !more {
			t.Fatalf("search ended after step %d", i+1)
		}
		if want := map[int]float64{0: 200, 1: 200, 2: 400, 3: 400, 4: 300}[i]; next.Shape.From != want {
			t.Fatalf("after step %d (rate %g, ok %v): next rate %g, want %g", i+1, rate, ok, next.Shape.From, want)
		}
	}
	v := st.verdictOf(&sum)
	if v.SustainableRate != 200 || v.FirstBadRate == nil || *v.FirstBadRate != 400 || !v.Steps[2].Retry || !v.Steps[4].Retry {
		t.Errorf("sustainable %v, first bad %v, steps %+v", v.SustainableRate, v.FirstBadRate, v.Steps)
	}
}
