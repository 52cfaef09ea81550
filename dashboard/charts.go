package dashboard

import (
	"fmt"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/canvas/graph"
	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/charmbracelet/lipgloss"
)

// Charts need at least this many cells to be legible.
const chartMinW, chartMinH = 24, 6

// series is one line of a chart: y values, one per second, oldest first.
type series struct {
	ys    []float64
	style lipgloss.Style
}

// throughputChart draws the achieved rate per second of the last 60 s.
func (m Model) throughputChart(w, h int) []string {
	pts := completeSeconds(&m.cur)
	achieved := make([]float64, len(pts))
	for i, p := range pts {
		achieved[i] = p.Rate
	}
	return append([]string{m.st.heading("achieved requests/s, last 60 s", w)},
		m.lineChart(w, h-1, []series{{achieved, m.st.accent}}, "%.0f")...)
}

// latencyChart draws p50 and p99 per second of the last 60 s, in ms.
func (m Model) latencyChart(w, h int) []string {
	st := m.st
	pts := completeSeconds(&m.cur)
	p50 := make([]float64, len(pts))
	p99 := make([]float64, len(pts))
	top := 0.0
	for i, p := range pts {
		p50[i] = float64(p.P50.Microseconds()) / 1000
		p99[i] = float64(p.P99.Microseconds()) / 1000
		top = max(top, p99[i])
	}
	yFmt := "%.0f"
	if top < 10 {
		yFmt = "%.1f"
	}
	title := "latency ms, last 60 s: p50 (lower) p99 (upper)"
	return append([]string{st.heading(title, w)},
		m.lineChart(w, h-1, []series{{p99, st.p99}, {p50, st.p50}}, yFmt)...)
}

// lineChart plots the series against seconds before now with braille
// lines; X runs from -(n-1) s to 0 s. It returns h lines of w cells.
func (m Model) lineChart(w, h int, ss []series, yFmt string) []string {
	n := 0
	top := 0.0
	for _, s := range ss {
		n = max(n, len(s.ys))
		for _, y := range s.ys {
			top = max(top, y)
		}
	}
	if n < 2 || w < chartMinW || h < chartMinH-1 {
		return blank(w, h, m.st.dim.Render("  collecting data…"))
	}
	if top <= 0 {
		top = 1
	}
	top *= 1.1
	minX := float64(-(n - 1))
	lc := linechart.New(w, h, minX, 0, 0, top,
		linechart.WithXYSteps(10, 2),
		linechart.WithStyles(m.st.rule, m.st.dim, m.st.plain),
		linechart.WithXLabelFormatter(func(_ int, v float64) string { return fmt.Sprintf("%.0fs", v) }),
		linechart.WithYLabelFormatter(func(_ int, v float64) string { return fmt.Sprintf(yFmt, v) }),
	)
	lc.DrawXYAxisAndLabel()
	// One braille grid per series, drawn once: lc.DrawBrailleLineWithStyle
	// allocates and scans a grid of the whole plot per segment, which made
	// a frame cost ~16 ms at 200x60. The dots drawn are the same.
	startX := 0
	if lc.YStep() > 0 {
		startX = lc.Origin().X + 1
	}
	for _, s := range ss {
		grid := graph.NewBrailleGrid(lc.GraphWidth(), lc.GraphHeight(), lc.MinX(), lc.MaxX(), lc.MinY(), lc.MaxY())
		off := n - len(s.ys)
		for i := 1; i < len(s.ys); i++ {
			a := canvas.Float64Point{X: minX + float64(off+i-1), Y: s.ys[i-1]}
			b := canvas.Float64Point{X: minX + float64(off+i), Y: s.ys[i]}
			for _, p := range graph.GetLinePoints(grid.GridPoint(a), grid.GridPoint(b)) {
				grid.Set(p)
			}
		}
		graph.DrawBraillePatterns(&lc.Canvas, canvas.Point{X: startX}, grid.BraillePatterns(), s.style)
	}
	return splitLines(lc.View())
}

// blank is h lines of w spaces, the first carrying msg.
func blank(w, h int, msg string) []string {
	out := make([]string, max(h, 0))
	for i := range out {
		out[i] = strings.Repeat(" ", max(w, 0))
	}
	if len(out) > 0 {
		out[0] = pad(msg, w)
	}
	return out
}

func splitLines(s string) []string { return strings.Split(s, "\n") }
