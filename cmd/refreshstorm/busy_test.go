package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/refreshstorm/refreshstorm/results"
)

// defaultShortfall is the default threshold on the achieved rate.
const defaultShortfall = "rate.shortfall<0.05"

// shortOnRateOnly reports whether the run (or merge) that wrote dir exited
// 1 on the default rate.shortfall<0.05 and on nothing else: every other
// threshold held, and it was not aborted, stopped for a configuration
// problem or failed by a baseline.
//
// The achieved rate is the one verdict that a busy machine decides: on the
// shared 2-core CI machine a stall of 100–300 ms leaves a 1–2 s run's last
// ticks unsent, or bursts its backlog into sessions that are all busy
// (dropped ticks), and the run falls 5 % short with nothing wrong with it.
// Tests that are about something else (result files, merging, TLS, imported
// cookies) accept that verdict through runPassed; the tests about the rate
// itself re-run instead (execRunSteady).
func shortOnRateOnly(t *testing.T, code int, dir string) bool {
	t.Helper()
	if code != exitFailed {
		return false
	}
	l, err := results.LoadDir(dir)
	if err != nil {
		return false
	}
	s := l.Summary
	if s.Aborted != nil || s.ConfigProblem != "" || s.Note != "" || s.Interrupted || (s.Baseline != nil && s.Baseline.Verdict != results.CompareNoChange && s.Baseline.Verdict != results.CompareImprovement) {
		return false
	}
	failed := s.FailedThresholds()
	if len(failed) == 0 {
		return false
	}
	for _, r := range failed {
		if r.Expr != defaultShortfall {
			return false
		}
	}
	t.Logf("%s: exit 1 on %s alone (%.1f %% of the requested load not sent): a busy machine", dir, defaultShortfall, 100*failed[0].Value)
	return true
}

// runPassed is code == exitPass for a test that is not about the achieved
// rate: a run that fell short of it on a busy machine, and failed on
// nothing else, passes too (logged).
func runPassed(t *testing.T, code int, dir string) bool {
	t.Helper()
	return code == exitPass || shortOnRateOnly(t, code, dir)
}

// execRunSteady is execCLI for a run, writing to out, that is expected to
// pass, achieved rate included: a run that fell short of the rate and of
// nothing else was disturbed by the machine, so it is run once more into a
// fresh out. Whatever the second run does is the answer.
func execRunSteady(t *testing.T, out string, args ...string) (int, string, string) {
	t.Helper()
	code, stdout, stderr := execCLI(t, context.Background(), args...)
	if !shortOnRateOnly(t, code, out) {
		return code, stdout, stderr
	}
	t.Logf("running it once more")
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	return execCLI(t, context.Background(), args...)
}

// processExit is the exit code of a command that ended with err (from
// exec.Cmd's Run or CombinedOutput), -1 when it did not exit by itself.
func processExit(err error) int {
	var ee *exec.ExitError
	if err == nil {
		return exitPass
	}
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}
