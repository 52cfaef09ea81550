package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestAbortThresholdEndsTheRunEarly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, _ := execCLI(t, context.Background(), "run", "--headless", "--out", dir, "--sessions", "10",
		"--rate", "300", "--duration", "60s", "--server-policy", "strict,workers=1,service=10ms",
		"--threshold", "rate.shortfall<0.05!", "--abort-after", "1s")
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s", code, exitFailed, stdout)
	}
	s := readSummary(t, dir)
	ab, _ := s["aborted"].(map[string]any)
	if ab == nil || !strings.Contains(ab["reason"].(string), "rate.shortfall<0.05") {
		t.Fatalf("aborted %v", s["aborted"])
	}
	if el := s["elapsed_s"].(float64); el > 20 {
		t.Errorf("ran %.1fs of 60s: the abort did not end it early", el)
	}
	if !strings.Contains(stdout, "ABORTED at") {
		t.Errorf("text summary does not say the run was aborted:\n%s", stdout)
	}
}

func TestStagesFlagRecordsEveryStage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, _ := execRunSteady(t, dir, "run", "--headless", "--out", dir, "--sessions", "10",
		"--stages", "ramp=1s:0->100,hold=1s:100")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	stages, _ := readSummary(t, dir)["stages"].([]any)
	if len(stages) != 2 {
		t.Fatalf("stages %v", stages)
	}
	hold := stages[1].(map[string]any)
	if hold["name"] != "hold" || hold["requested"].(float64) < 95 || hold["achieved"].(float64) < 85 {
		t.Errorf("hold stage %v", hold)
	}
	for _, bad := range []string{"1s", "x:100", "1s:sine(1,2)", "1s:10,1s:-5"} {
		if code, _, _ := execCLI(t, context.Background(), "run", "--stages", bad); code != exitUsage {
			t.Errorf("--stages %q: exit %d, want %d", bad, code, exitUsage)
		}
	}
}
