package dashboard

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// The x labels of both charts sit in the same columns of their halves,
// and their ticks are the same number of cells apart.
func TestChartAxesAreEvenAndShared(t *testing.T) {
	for _, w := range []int{100, 160, 200} {
		m := sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, true), w, 60)
		lines := m.chartPair(w, 20)
		if lines == nil {
			t.Fatalf("%d wide: no charts", w)
		}
		axis := []rune(lines[len(lines)-1])
		cw := (w - 1) / 2
		ends := func(row []rune) []int { // the column after each label's "s"
			var out []int
			for i, r := range row {
				if r == 's' {
					out = append(out, i)
				}
			}
			return out
		}
		left, right := ends(axis[:cw]), ends(axis[cw+1:])
		if len(left) < 3 || len(left) != len(right) {
			t.Fatalf("%d wide: tick labels %v vs %v in %q", w, left, right, string(axis))
		}
		for i := range left {
			if left[i] != right[i] {
				t.Errorf("%d wide: tick %d at %d on the left, %d on the right", w, i, left[i], right[i])
			}
			if i > 0 && left[i]-left[i-1] != left[1]-left[0] {
				t.Errorf("%d wide: uneven ticks %v", w, left)
			}
		}
		if !strings.HasSuffix(strings.TrimRight(string(axis[:cw]), " "), "0s") {
			t.Errorf("%d wide: the newest tick is not 0s: %q", w, string(axis[:cw]))
		}
	}
}

func TestElapsedPlusLeftIsDuration(t *testing.T) {
	s := busySnapshot()
	for _, el := range []time.Duration{0, 500 * time.Millisecond, 75*time.Second + 999*time.Millisecond, 2 * time.Minute} {
		s.Elapsed = el
		line := sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 80, 24).progressLine(80)
		m := regexp.MustCompile(`(\d+):(\d\d) / 2:00  left (\d+):(\d\d)`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("elapsed %v: %q", el, line)
		}
		secs := func(mm, ss string) int { return atoi(mm)*60 + atoi(ss) }
		if got := secs(m[1], m[2]) + secs(m[3], m[4]); got != 120 {
			t.Errorf("elapsed %v: %q adds up to %d s", el, line, got)
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestCutPanelSaysHowManyLinesAreHidden(t *testing.T) {
	st := newStyles(true)
	got := cut([]string{"a", "b", "c", "d", "e"}, 3, st)
	if len(got) != 3 || got[2] != "… 3 more lines" {
		t.Fatalf("cut: %q", got)
	}
	if got := cut([]string{"a", "b"}, 2, st); len(got) != 2 || got[1] != "b" {
		t.Fatalf("no cut needed: %q", got)
	}
	// The families/sessions/chaos panel ends with the marker at 80x24
	// when it does not fit.
	s := busySnapshot()
	s.ChaosInjected["csrf"], s.ChaosInjected["stale-cookie"] = 10, 10
	s.RecentFailures = nil
	for o := range s.Outcomes {
		if oracle.Outcome(o).IsFailure() {
			s.Outcomes[o] = 0
		}
	}
	view := sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 80, 24).render()
	lines := strings.Split(view, "\n")
	if !strings.Contains(view, "─ families") || !regexp.MustCompile(`^… \d+ more lines?$`).MatchString(lines[len(lines)-2]) {
		t.Fatalf("chaos panel cut without a marker:\n%s", view)
	}
}

// A wrapped row continues further right than the rows of its column, so
// it cannot be read as a row of its own.
func TestWrappedRowsHangUnderTheirRow(t *testing.T) {
	lines := flow("chaos", 10, hangW, []string{"concurrent 140 injected →", "rej_reuse 128", "ok_grace_same_child 9", "fail_fork 3"}, 60)
	if len(lines) < 2 {
		t.Fatalf("no wrap: %q", lines)
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, strings.Repeat(" ", 10+hangW)) || l[10+hangW] == ' ' {
			t.Errorf("continuation %q does not start at column %d", l, 10+hangW)
		}
	}
}

func TestZeroRowsShareOneNoneYetLinePerCategory(t *testing.T) {
	view := sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, true), 160, 80).render()
	var none int
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "none yet:") {
			none++
		}
	}
	// accepted, rejected, failed and undecided each have a zero outcome.
	if none != 4 {
		t.Errorf("%d none-yet lines, want 4:\n%s", none, view)
	}
	for _, o := range []oracle.Outcome{oracle.OKGraceSibling, oracle.Indeterminate} {
		row := lineWith(view, o.String())
		if !strings.Contains(row, "none yet:") {
			t.Errorf("%s has a row of its own: %q", o, row)
		}
	}
}

// Every bar cell is in the progress line and every braille cell beside a
// chart axis: no unlabelled block, at any size.
func TestNoUnlabelledBlocks(t *testing.T) {
	bar := regexp.MustCompile(`[▁▂▃▄▅▆▇█]`)
	braille := regexp.MustCompile(`[\x{2801}-\x{28FF}]`)
	for _, size := range [][2]int{{80, 24}, {100, 30}, {200, 60}} {
		view := ansi.Strip(sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, false), size[0], size[1]).render())
		for _, l := range strings.Split(view, "\n") {
			if bar.MatchString(l) && !strings.Contains(l, " / 2:00") {
				t.Errorf("%dx%d: bar cells outside the progress line: %q", size[0], size[1], l)
			}
			if braille.MatchString(l) && !strings.ContainsAny(l, "│┤") {
				t.Errorf("%dx%d: braille cells without an axis: %q", size[0], size[1], l)
			}
		}
	}
}

// At 200x60 the charts take the rows the other panels leave.
func TestChartsGrowAt200x60(t *testing.T) {
	view := sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, true), 200, 60).render()
	blank := 0
	axis := 0
	for _, l := range strings.Split(view, "\n") {
		if strings.TrimSpace(l) == "" {
			blank++
		}
		if strings.Contains(l, "│") || strings.Contains(l, "┤") {
			axis++
		}
	}
	if blank > 1 || axis < 2*chartMinH {
		t.Fatalf("200x60: %d blank lines, %d chart rows:\n%s", blank, axis, view)
	}
}

func TestPausedShowsZeroAchieved(t *testing.T) {
	s := busySnapshot()
	s.Paused = true
	s.Seconds[len(s.Seconds)-2].Rate = 0
	m := sized(NewModel(fixtureHeader, snapOf(s), &fakeControl{}, true), 80, 24)
	row := lineWith(m.render(), "requested")
	if !strings.Contains(row, "now     0/s") || !strings.Contains(row, "requested paused") {
		t.Fatalf("paused throughput row: %q", row)
	}
}
