package dashboard

import (
	"time"

	"github.com/refreshstorm/refreshstorm/results"
)

// Charts need at least this many cells to be legible.
const chartMinW, chartMinH = 24, 6

// chartsFit reports whether the charts have data and room at width w.
func (m Model) chartsFit(w int) bool {
	return len(completeSeconds(&m.cur)) >= 2 && (w-1)/2 >= chartMinW
}

// chartPair draws the throughput and latency charts side by side in w
// cells and h lines (title included). Both share one time axis and one
// label width, so their ticks line up column for column.
func (m Model) chartPair(w, h int) []string {
	pts := completeSeconds(&m.cur)
	cw := (w - 1) / 2
	if !m.chartsFit(w) || h < chartMinH {
		return nil
	}
	newest := pts[len(pts)-1].Second
	var rate, p50, p99 []point
	topRate, topLat := 0.0, 0.0
	for _, p := range pts {
		age := newest - p.Second
		rate = append(rate, point{age, p.Rate})
		l50 := float64(p.P50.Microseconds()) / 1000
		l99 := float64(p.P99.Microseconds()) / 1000
		p50 = append(p50, point{age, l50})
		p99 = append(p99, point{age, l99})
		topRate, topLat = max(topRate, p.Rate), max(topLat, l99)
	}
	yRate, yLat := newValueAxis(topRate), newValueAxis(topLat)
	labelW := max(yRate.labelW(), yLat.labelW())
	x := newTimeAxis(cw - labelW - 1)

	st := m.st
	left := append([]string{st.heading("achieved requests/s, last 60 s", cw)},
		brailleChart(x, yRate, labelW, h-1, []series{{rate, st.accent}}, st)...)
	right := append([]string{st.heading("latency ms, last 60 s: "+
		st.p50.Render("p50")+" "+st.p99.Render("p99"), cw)},
		brailleChart(x, yLat, labelW, h-1, []series{{p99, st.p99}, {p50, st.p50}}, st)...)
	return columns(left, right, cw, w-cw-1)
}

// completeSeconds returns the per-second points whose second is over: a
// trailing point for the second still running is left out.
func completeSeconds(s *results.Snapshot) []results.SecondPoint {
	pts := s.Seconds
	if n := len(pts); n > 0 && time.Duration(pts[n-1].Second+1)*time.Second > s.Elapsed {
		pts = pts[:n-1]
	}
	return pts
}
