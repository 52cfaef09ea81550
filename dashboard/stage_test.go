package dashboard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// A run with a stage plan names the stage it is in, at 80x24 too; a run
// without one shows no stage.
func TestHeaderNamesTheStage(t *testing.T) {
	s := busySnapshot()
	s.Stage, s.StageIndex, s.Stages, s.StageWarmup = "warm", 0, 3, true
	m := sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 80, 24)
	if line := ansi.Strip(lineWith(m.render(), "chaos ")); !strings.Contains(line, "stage warm 1/3 (warmup)") {
		t.Errorf("header line %q lacks the stage", line)
	}
	s.Stage, s.StageIndex, s.StageWarmup, s.StageChaos = "hold", 1, false, "none"
	m = sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 120, 40)
	if line := ansi.Strip(lineWith(m.render(), "chaos ")); !strings.Contains(line, "stage hold 2/3") || strings.Contains(line, "warmup") ||
		!strings.Contains(line, "chaos none (this stage)") {
		t.Errorf("header line %q", line)
	}
	m = sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, true), 120, 40)
	if line := ansi.Strip(lineWith(m.render(), "chaos ")); strings.Contains(line, "stage ") {
		t.Errorf("a run without stages shows one: %q", line)
	}
}
