package dashboard

import (
	"fmt"
	"math"
	"strings"

	"charm.land/lipgloss/v2"
)

// A small line chart drawn with braille dots: each cell holds 2×4 dots, so
// a chart of w×h cells plots 2w×4h points. It plots per-second series that
// end at the newest complete second; the x axis is shared by every chart
// drawn with the same axis, so charts side by side line up tick for tick.

// chartWindow is how many seconds a chart shows at least.
const chartWindow = 60

// series is one line of a chart, drawn in style.
type series struct {
	pts   []point
	style lipgloss.Style
}

// point is a value at an age in seconds before the newest second (0).
type point struct {
	age int
	y   float64
}

// timeAxis maps ages to plot columns. Ticks fall every step seconds,
// exactly cellsPerTick cells apart, so they are even; the plot shows at
// least chartWindow seconds.
type timeAxis struct {
	plotW        int // plot cells
	step         int // seconds between ticks
	cellsPerTick int
}

// newTimeAxis picks the smallest tick step whose labels ("-60s") fit.
func newTimeAxis(plotW int) timeAxis {
	const labelRoom = 5
	for _, step := range []int{10, 15, 20, 30} {
		if c := plotW * step / chartWindow; c >= labelRoom {
			return timeAxis{plotW, step, c}
		}
	}
	return timeAxis{plotW, chartWindow, max(plotW, 1)}
}

// dotX is the dot column of an age; negative when off the plot.
func (a timeAxis) dotX(age int) int {
	return 2*a.plotW - 1 - int(math.Round(float64(age*2*a.cellsPerTick)/float64(a.step)))
}

// labels is the row under the plot: "-Ns" right-aligned on every tick
// that leaves room for it.
func (a timeAxis) labels() string {
	row := []rune(strings.Repeat(" ", a.plotW))
	free := a.plotW // columns from here on are taken
	for k := 0; ; k++ {
		col := a.plotW - 1 - k*a.cellsPerTick
		if col < 0 {
			break
		}
		l := []rune(fmt.Sprintf("-%ds", k*a.step))
		if k == 0 {
			l = []rune("0s")
		}
		start := col - len(l) + 1
		if start < 0 || col >= free {
			continue
		}
		copy(row[start:], l)
		free = start - 1
	}
	return string(row)
}

// valueAxis is the y scale: 0 at the bottom, a round top, three labels.
type valueAxis struct {
	top    float64
	format string
}

func newValueAxis(highest float64) valueAxis {
	top := niceCeil(highest * 1.05)
	format := "%.0f"
	switch {
	case top < 1:
		format = "%.2f"
	case top < 10:
		format = "%.1f"
	}
	return valueAxis{top, format}
}

// labelW is the width of the widest label.
func (v valueAxis) labelW() int { return len(fmt.Sprintf(v.format, v.top)) }

// niceCeil rounds v up to 1, 2, 4 or 5 times a power of ten, so that the
// top label and its half read cleanly.
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 4, 5, 10} {
		if m*e >= v*(1-1e-9) {
			return m * e
		}
	}
	return 10 * e
}

// brailleChart renders h rows of labelW + 1 + x.plotW cells: h-1 plot rows
// with the y labels on the left, then the x labels.
func brailleChart(x timeAxis, y valueAxis, labelW, h int, ss []series, st styles) []string {
	plotH := h - 1
	dots := make([][]uint8, plotH) // braille bits per cell
	owner := make([][]int8, plotH) // which series drew a cell last
	for r := range dots {
		dots[r] = make([]uint8, x.plotW)
		owner[r] = make([]int8, x.plotW)
		for c := range owner[r] {
			owner[r][c] = -1
		}
	}
	maxDotY := 4*plotH - 1
	dotY := func(v float64) int {
		f := min(max(v/y.top, 0), 1)
		return maxDotY - int(math.Round(f*float64(maxDotY)))
	}
	set := func(si, dx, dy int) {
		if dx < 0 || dx >= 2*x.plotW || dy < 0 || dy > maxDotY {
			return
		}
		r, c := dy/4, dx/2
		dots[r][c] |= brailleBit[dx%2][dy%4]
		owner[r][c] = int8(si)
	}
	for si, s := range ss {
		for i, p := range s.pts {
			x1, y1 := x.dotX(p.age), dotY(p.y)
			if i == 0 {
				set(si, x1, y1)
				continue
			}
			q := s.pts[i-1]
			line(x.dotX(q.age), dotY(q.y), x1, y1, func(dx, dy int) { set(si, dx, dy) })
		}
	}

	// Labels sit on the rows holding the dots of top, top/2 and 0.
	midRow := dotY(y.top/2) / 4
	out := make([]string, 0, h)
	for r := range plotH {
		label := ""
		switch {
		case r == 0:
			label = fmt.Sprintf(y.format, y.top)
		case r == plotH-1:
			label = fmt.Sprintf(y.format, 0.0)
		case r == midRow && plotH >= 5:
			label = fmt.Sprintf(y.format, y.top/2)
		}
		tick := "│"
		if label != "" {
			tick = "┤"
		}
		out = append(out, st.dim.Render(padLeft(label, labelW))+st.rule.Render(tick)+plotRow(dots[r], owner[r], ss))
	}
	return append(out, strings.Repeat(" ", labelW+1)+st.dim.Render(x.labels()))
}

// plotRow draws one row of cells, one style run per series.
func plotRow(dots []uint8, owner []int8, ss []series) string {
	var b strings.Builder
	for c := 0; c < len(dots); {
		o := owner[c]
		e := c
		var run strings.Builder
		for ; e < len(dots) && owner[e] == o; e++ {
			if dots[e] == 0 {
				run.WriteByte(' ')
			} else {
				run.WriteRune(rune(0x2800) + rune(dots[e]))
			}
		}
		if o >= 0 {
			b.WriteString(ss[o].style.Render(run.String()))
		} else {
			b.WriteString(run.String())
		}
		c = e
	}
	return b.String()
}

// brailleBit is the bit of the dot at column x (0–1), row y (0–3) of a cell.
var brailleBit = [2][4]uint8{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}

// line calls set for every dot from (x0,y0) to (x1,y1) (Bresenham).
func line(x0, y0, x1, y1 int, set func(x, y int)) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		set(x0, y0)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
