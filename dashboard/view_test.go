package dashboard

import (
	"cmp"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

func sized(m Model, w, h int) Model {
	next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return next.(Model)
}

func lineWith(view, s string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(ansi.Strip(l), s) {
			return l
		}
	}
	return ""
}

func TestFailureRowShowsCountMeaningInRed(t *testing.T) {
	m := sized(NewModel(fixtureHeader, snapOf(forkSnapshot()), &fakeControl{}, false), 120, 40)
	view := m.render()
	plain := ansi.Strip(view)

	row := lineWith(view, "fail_fork")
	if row == "" {
		t.Fatalf("no fail_fork row in:\n%s", plain)
	}
	rowPlain := ansi.Strip(row)
	if !regexp.MustCompile(`fail_fork\s+3\s`).MatchString(rowPlain) {
		t.Errorf("fail_fork row lacks its count 3: %q", rowPlain)
	}
	meaning := "two live heads of one parent beyond policy: a double spend"
	if !strings.Contains(rowPlain, meaning) {
		t.Errorf("fail_fork row lacks its meaning: %q", rowPlain)
	}
	red := m.st.bad.Render("x")
	redOpen := red[:strings.Index(red, "x")]
	if redOpen == "" || !strings.Contains(row, redOpen+"fail_fork") {
		t.Errorf("fail_fork not styled red (%q): %q", redOpen, row)
	}
	if !strings.Contains(plain, "FAILING") || strings.Contains(plain, "PASSING") {
		t.Errorf("verdict should be FAILING:\n%s", plain)
	}
	// The recent failure, with fingerprints, status and explanation (on
	// the line below when it does not fit beside them).
	_, after, _ := strings.Cut(plain, "12:00:07")
	ev := strings.Join(strings.SplitN(after, "\n", 3)[:2], "\n")
	for _, want := range []string{"fail_fork", "duplicate", "200", "s:s3c0ffee", "f:fab12cd3",
		"[concurrent]", "two 200s for one parent: children c1 and c2 both refresh"} {
		if !strings.Contains(ev, want) {
			t.Errorf("recent failure lacks %q: %q", want, ev)
		}
	}
}

func TestNoColorHasNoEscapes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 50}} {
		m := sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, true), size[0], size[1])
		view := m.render()
		if strings.Contains(view, "\x1b[") {
			t.Fatalf("%dx%d: NO_COLOR view has escape sequences: %q", size[0], size[1], view)
		}
		if size[0] > 80 && !strings.Contains(view, "last 60 s") {
			t.Fatalf("%dx%d: charts missing:\n%s", size[0], size[1], view)
		}
		if !strings.Contains(view, "fail_fork") || !strings.Contains(view, "FAILING") {
			t.Fatalf("%dx%d: NO_COLOR view lost content:\n%s", size[0], size[1], view)
		}
	}
	// With colour the same view does carry escapes.
	m := sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, false), 160, 50)
	if !strings.Contains(m.render(), "\x1b[") {
		t.Fatal("colour view has no escape sequences")
	}
}

func TestPercentilesRendered(t *testing.T) {
	m := sized(NewModel(fixtureHeader, snapOf(forkSnapshot()), &fakeControl{}, true), 80, 24)
	row := lineWith(m.render(), "last 1s")
	want := regexp.MustCompile(`last 1s\s+1\.20ms\s+4\.00ms\s+12\.3ms\s+20\.0ms`)
	if !want.MatchString(row) {
		t.Fatalf("last-second percentiles: got %q", row)
	}
	// No whole-run data yet: dashes, not zeros.
	if row := lineWith(m.render(), "run raw"); !regexp.MustCompile(`run raw(\s+-){4}`).MatchString(row) {
		t.Fatalf("empty whole-run row: got %q", row)
	}
	busy := sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, true), 80, 24)
	if row := lineWith(busy.render(), "run corr"); !regexp.MustCompile(`run corr\s+1\.10ms\s+3\.50ms\s+14\.0ms\s+250ms`).MatchString(row) {
		t.Fatalf("corrected percentiles: got %q", row)
	}
}

func TestAchievedRateIsLastCompleteSecond(t *testing.T) {
	s := busySnapshot()
	// second 75 is running (elapsed 75.5 s); make it stand out to catch misuse.
	s.Seconds[len(s.Seconds)-1].Rate = 9999
	m := sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 80, 24)
	row := lineWith(m.render(), "requested")
	want := fmtRate(s.Seconds[len(s.Seconds)-2].Rate)
	if !strings.Contains(row, "now     "+want) || !strings.Contains(row, "requested 100/s") || strings.Contains(row, "9,999") {
		t.Fatalf("throughput row: %q (want achieved %s)", row, want)
	}
}

func TestVerdict(t *testing.T) {
	s := forkSnapshot()
	s.Outcomes = [len(s.Outcomes)]uint64{}
	s.Total = 1000
	s.Outcomes[0] = 990
	if v := judge(&s); v.failing {
		t.Fatalf("no failures: got failing %q", v.reason)
	}
	s.Outcomes[len(s.Outcomes)-2] = 9 // timeout: 0.9 %
	if v := judge(&s); v.failing {
		t.Fatalf("0.9%% undecided: got failing %q", v.reason)
	}
	s.Outcomes[len(s.Outcomes)-3] = 1 // transport_error: now 1 %
	if v := judge(&s); !v.failing || !strings.Contains(v.reason, "undecided") {
		t.Fatalf("1%% undecided: got %+v", v)
	}
	m := sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 80, 24)
	if !strings.Contains(m.render(), "FAILING") {
		t.Fatal("view does not show FAILING for 1% undecided")
	}
	s.Outcomes[len(s.Outcomes)-3] = 0
	m = sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 80, 24)
	if v := m.render(); !strings.Contains(v, "PASSING") || strings.Contains(v, "FAILING") {
		t.Fatalf("view should be PASSING:\n%s", v)
	}
}

func TestFamiliesSessionsChaos(t *testing.T) {
	m := sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, true), 160, 60)
	plain := m.render()
	for _, want := range []string{
		"healthy 480", "revoked_correctly 17", "revoked_spuriously 9", "forked 3", "zombie 1", "desync 0",
		"idle 488", "in flight 12", "re-signed-in 27", "race_logouts 9 (1.29/1k refreshes)",
		"concurrent 140 injected →  rej_reuse 128  ok_grace_same_child 9  fail_fork 3",
		"replay 70 injected →  rej_reuse 69  fail_zombie_family 1",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log("\n" + plain)
	}
}

func TestFailureRowsAlwaysShownAt80x24(t *testing.T) {
	s := busySnapshot()
	m := sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 80, 24)
	view := m.render()
	for _, name := range []string{"fail_fork", "fail_false_positive_reuse", "fail_zombie_family"} {
		if lineWith(view, name+" ") == "" {
			t.Errorf("failure row %s missing at 80x24:\n%s", name, view)
		}
	}
	// Zero non-failure rows are hidden when room is short...
	if strings.Contains(view, "ok_grace_sibling") {
		t.Errorf("zero row shown at 80x24:\n%s", view)
	}
	// ...and shown when there is room.
	big := sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 160, 80).render()
	if !strings.Contains(big, "ok_grace_sibling") || !strings.Contains(big, "indeterminate") {
		t.Errorf("zero rows missing at 160x80:\n%s", big)
	}
}

func TestFitsTerminal(t *testing.T) {
	for _, snap := range []func() Model{
		func() Model { return NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, false) },
		func() Model { return NewModel(Header{}, nil, nil, true) },
	} {
		for _, size := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {200, 60}, {72, 20}, {40, 12}} {
			view := sized(snap(), size[0], size[1]).render()
			checkFits(t, view, size[0], size[1])
		}
	}
}

func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("%dx%d: line %d is %d cells: %q", w, h, i, lw, ansi.Strip(l))
		}
	}
}

func TestTinySizesDoNotPanic(t *testing.T) {
	m := NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, false)
	for _, w := range []int{-1, 0, 1, 2, 3, 5, 8, 13, 20, 30, 40, 49, 50, 60, 71, 72, 79, 80, 90} {
		for _, h := range []int{-1, 0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 23, 24, 30} {
			view := sized(m, w, h).render()
			fw, fh := w, h
			if w <= 0 { // unknown width: the 80×24 fallback
				fw = 80
			}
			if h <= 0 {
				fh = 24
			}
			checkFits(t, view, fw, fh)
			if h > 0 && w >= 20 && !strings.Contains(view, "FAILING") {
				t.Fatalf("%dx%d: the verdict is gone:\n%s", w, h, view)
			}
		}
	}
	for _, size := range [][2]int{{20, 5}, {0, 0}, {1, 1}, {5, 2}} {
		help := m
		help.help = true
		checkFits(t, sized(help, size[0], size[1]).render(), cmp.Or(size[0], 80), cmp.Or(size[1], 24))
	}
}

func TestChartsShownWhenTall(t *testing.T) {
	m := sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, true), 160, 60)
	view := m.render()
	if !strings.Contains(view, "achieved requests/s, last 60 s") || !strings.Contains(view, "latency ms, last 60 s") {
		t.Fatalf("charts missing at 160x60:\n%s", view)
	}
	if !regexp.MustCompile(`[\x{2801}-\x{28FF}]`).MatchString(view) {
		t.Fatalf("charts have no braille plot:\n%s", view)
	}
	small := sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, true), 80, 24).render()
	if strings.Contains(small, "last 60 s") {
		t.Fatalf("charts should be dropped at 80x24:\n%s", small)
	}
}

// TestRender80x24 checks the standard small terminal keeps every section
// that matters (and logs the frame: go test -run Render -v).
func TestRender80x24(t *testing.T) {
	failing := busySnapshot()
	healthy := busySnapshot()
	for o := range healthy.Outcomes {
		if oracle.Outcome(o).IsFailure() || oracle.Outcome(o) == oracle.Timeout {
			healthy.Outcomes[o] = 0
		}
	}
	healthy.RecentFailures = nil
	healthy.Families[oracle.FamilyRevokedSpuriously], healthy.Families[oracle.FamilyForked], healthy.Families[oracle.FamilyZombie] = 0, 0, 0
	for _, tc := range []struct {
		name string
		snap results.Snapshot
		want []string
	}{
		{"failing", failing, []string{"FAILING  13 failures", "1:15 / 2:00", "now     99/s", "dropped ticks 4",
			"12.3ms", "ok_rotated 6,900 (92.2%)", "fail_false_positive_reuse     9", "a revoked family works again later",
			"two live heads of one parent beyond policy: a double spend", "recent failures (newest 1 of 10)",
			"12:01:27 fail_false_positive_reuse duplicate 401 s:sess0000 f:fam00000", "[lost-response] retry inside",
			"q stop"}},
		{"healthy", healthy, []string{"PASSING", "run corr", "rej_csrf 75 (1.0%)", "healthy 480", "race_logouts 9 (1.29/1k refreshes)",
			"replay 70 injected →  rej_reuse 69"}},
	} {
		view := sized(NewModel(fixtureHeader, snapOf(tc.snap), &fakeControl{}, true), 80, 24).render()
		t.Logf("%s:\n%s", tc.name, view)
		checkFits(t, view, 80, 24)
		if n := strings.Count(view, "\n") + 1; n != 24 {
			t.Errorf("%s: %d lines, want the full 24", tc.name, n)
		}
		for _, w := range tc.want {
			if !strings.Contains(view, w) {
				t.Errorf("%s: 80x24 view lacks %q", tc.name, w)
			}
		}
	}
}

func TestAchievedZeroIsNotMax(t *testing.T) {
	s := busySnapshot()
	s.Seconds[len(s.Seconds)-2].Rate = 0 // paused, or a stalled target
	m := sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 80, 24)
	row := lineWith(m.render(), "requested")
	if !strings.Contains(row, "now     0/s") || !strings.Contains(row, "requested 100/s") {
		t.Fatalf("throughput row: %q (want achieved 0/s)", row)
	}
	if fmtRequested(0) != "max" || fmtRate(0) != "0/s" {
		t.Fatalf("requested 0 = %q, achieved 0 = %q", fmtRequested(0), fmtRate(0))
	}
}
