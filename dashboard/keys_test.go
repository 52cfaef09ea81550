package dashboard

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/refreshstorm/refreshstorm/results"
)

func press(m Model, keys ...tea.KeyPressMsg) Model {
	for _, k := range keys {
		next, cmd := m.Update(k)
		if cmd != nil {
			if _, quit := cmd().(tea.QuitMsg); quit {
				panic("the model must never quit on a key")
			}
		}
		m = next.(Model)
	}
	return m
}

func runeKey(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

var (
	keyQ     = runeKey('q')
	keyCtrlC = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	keySpace = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
)

func TestQStopsOnceAndKeepsShowingStopping(t *testing.T) {
	ctl := &fakeControl{}
	m := sized(NewModel(fixtureHeader, snapOf(forkSnapshot()), ctl, true), 80, 24)
	m = press(m, keyQ, keyQ, keyQ)
	if c := ctl.calls(); c.stops != 1 || c.interrupts != 0 {
		t.Fatalf("q x3: stops=%d interrupts=%d, want 1 and 0", c.stops, c.interrupts)
	}
	// Ticks keep coming until the engine ends the run: still stopping.
	next, cmd := m.Update(tickMsg{})
	if cmd == nil {
		t.Fatal("tick did not schedule the next tick")
	}
	if v := next.(Model).render(); !strings.Contains(v, "stopping — writing results…") {
		t.Fatalf("no stopping notice:\n%s", v)
	}
}

func TestCtrlCInterrupts(t *testing.T) {
	ctl := &fakeControl{}
	m := sized(NewModel(fixtureHeader, snapOf(forkSnapshot()), ctl, true), 80, 24)
	m = press(m, keyCtrlC)
	if c := ctl.calls(); c.interrupts != 1 || c.stops != 0 {
		t.Fatalf("ctrl+c: interrupts=%d stops=%d, want 1 and 0", c.interrupts, c.stops)
	}
	if v := m.render(); !strings.Contains(v, "interrupted — writing results…") || !strings.Contains(v, "STOPPING") {
		t.Fatalf("no interrupted notice:\n%s", v)
	}
	// A second ctrl+c is forwarded too, as a second SIGINT would be.
	press(m, keyCtrlC)
	if c := ctl.calls(); c.interrupts != 2 {
		t.Fatalf("second ctrl+c: interrupts=%d, want 2", c.interrupts)
	}
}

func TestSpaceTogglesPause(t *testing.T) {
	ctl := &fakeControl{}
	m := sized(NewModel(fixtureHeader, snapOf(forkSnapshot()), ctl, true), 80, 24)
	m = press(m, keySpace)
	if !strings.Contains(m.render(), "PAUSED") || !strings.Contains(m.render(), "space resume") {
		t.Fatalf("paused view:\n%s", m.render())
	}
	m = press(m, keySpace)
	if got := ctl.calls().paused; !slices.Equal(got, []bool{true, false}) {
		t.Fatalf("SetPaused calls %v, want [true false]", got)
	}
	if strings.Contains(m.render(), "PAUSED") {
		t.Fatal("still PAUSED after resuming")
	}
}

func TestPlusMinusChangeRate(t *testing.T) {
	ctl := &fakeControl{}
	m := NewModel(fixtureHeader, snapOf(forkSnapshot()), ctl, true) // rate 100
	press(m, runeKey('+'))
	press(m, runeKey('-'))
	if got := ctl.calls().rates; !slices.Equal(got, []float64{110, 90}) {
		t.Fatalf("SetRate calls %v, want [110 90]", got)
	}
	// The returned rate is the one in force for the next press.
	m = press(m, runeKey('+'), runeKey('+'))
	if got := ctl.calls().rates[2:]; !slices.Equal(got, []float64{110, 121}) {
		t.Fatalf("two + presses: %v, want [110 121]", got)
	}
	if !strings.Contains(m.render(), "requested 121/s") {
		t.Fatalf("view does not show the new rate:\n%s", m.render())
	}
	// A tick takes the engine's rate back from the snapshot.
	next, _ := m.Update(tickMsg{})
	if next.(Model).rate != 100 {
		t.Fatalf("rate after tick %v, want the snapshot's 100", next.(Model).rate)
	}
}

func TestRateKeysAtMaxRateAreNoOps(t *testing.T) {
	s := forkSnapshot()
	s.RequestedRate = 0
	ctl := &fakeControl{}
	m := press(NewModel(fixtureHeader, snapOf(s), ctl, true), runeKey('+'), runeKey('-'))
	if got := ctl.calls().rates; len(got) != 0 {
		t.Fatalf("SetRate called at max rate: %v", got)
	}
	if !strings.Contains(m.render(), "requested max") {
		t.Fatalf("max rate not shown:\n%s", m.render())
	}
}

func TestClampedRateIsShown(t *testing.T) {
	ctl := &clampControl{fakeControl: &fakeControl{}, limit: 105}
	m := press(NewModel(fixtureHeader, snapOf(forkSnapshot()), ctl, true), runeKey('+'))
	if m.rate != 105 || !strings.Contains(m.render(), "requested 105/s") {
		t.Fatalf("clamped rate: model %v, view:\n%s", m.rate, m.render())
	}
}

type clampControl struct {
	*fakeControl
	limit float64
}

func (c *clampControl) SetRate(r float64) float64 { c.fakeControl.SetRate(r); return min(r, c.limit) }

func TestHelpToggles(t *testing.T) {
	m := sized(NewModel(fixtureHeader, snapOf(forkSnapshot()), &fakeControl{}, true), 80, 24)
	m = press(m, runeKey('?'))
	v := m.render()
	for _, want := range []string{"─ help", "end the run early", "interrupt as SIGINT", "pause / resume", "by 10%"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	checkFits(t, v, 80, 24)
	m = press(m, runeKey('?'))
	if strings.Contains(m.render(), "─ help") {
		t.Fatal("help still shown after second ?")
	}
	m = press(m, runeKey('?'), tea.KeyPressMsg{Code: tea.KeyEscape})
	if strings.Contains(m.render(), "─ help") {
		t.Fatal("help still shown after esc")
	}
}

func TestTickPullsSnapshot(t *testing.T) {
	n := 0
	snap := func() (s results.Snapshot) {
		n++
		s = forkSnapshot()
		s.Total = uint64(1000 * n)
		return s
	}
	m := NewModel(fixtureHeader, snap, &fakeControl{}, true)
	if n != 1 {
		t.Fatalf("NewModel pulled %d snapshots, want 1", n)
	}
	next, _ := m.Update(tickMsg{})
	if n != 2 || !strings.Contains(next.(Model).render(), "total   2,000") {
		t.Fatalf("tick: %d pulls; view:\n%s", n, next.(Model).render())
	}
	// Keys and resizes never pull: only ticks do.
	press(next.(Model), keySpace, runeKey('?'))
	next.(Model).Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if n != 2 {
		t.Fatalf("%d pulls after keys, want 2", n)
	}
}
