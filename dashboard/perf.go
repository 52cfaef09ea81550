package dashboard

import (
	"fmt"
	"time"

	"github.com/refreshstorm/refreshstorm/results"
)

// throughputLines shows achieved vs requested rate, totals, dropped ticks
// and the spread of the achieved rate over the last minute, every number
// with its label.
func (m Model) throughputLines(w int) []string {
	st, s := m.st, &m.cur
	pts := completeSeconds(s)

	now := st.dim.Render("-")
	if len(pts) > 0 {
		now = st.accent.Render(fmtRate(pts[len(pts)-1].Rate))
	}
	req := fmtRequested(m.rate)
	if m.paused {
		req = st.warn.Render("paused")
	}
	dropped := fmtCount(s.Dropped)
	if s.Dropped > 0 {
		dropped = st.warn.Render(dropped)
	}
	lines := []string{
		st.heading("throughput", w),
		fit(pad(st.dim.Render("now"), 8)+now+st.dim.Render("  requested ")+req, w),
		fit(pad(st.dim.Render("total"), 8)+fmtCount(s.Total)+
			st.dim.Render("  dropped ticks ")+dropped, w),
	}
	if len(pts) > 0 {
		lo, hi, sum := pts[0].Rate, pts[0].Rate, 0.0
		for _, p := range pts {
			lo, hi, sum = min(lo, p.Rate), max(hi, p.Rate), sum+p.Rate
		}
		lines = append(lines, fit(pad(st.dim.Render(fmt.Sprintf("avg %ds", len(pts))), 8)+
			fmtRate(sum/float64(len(pts)))+
			st.dim.Render("  min ")+fmtRate(lo)+st.dim.Render("  max ")+fmtRate(hi), w))
	}
	return lines
}

// latencyLines shows p50/p90/p99/p99.9 for the last second and the whole
// run, raw and corrected for coordinated omission.
func (m Model) latencyLines(w int) []string {
	st, s := m.st, &m.cur
	const labelW, colW = 9, 7
	head := pad("", labelW)
	for _, h := range []string{"p50", "p90", "p99", "p99.9"} {
		head += padLeft(h, colW)
	}
	row := func(label string, q results.Quantiles) string {
		line := pad(st.dim.Render(label), labelW)
		for _, d := range []time.Duration{q.P50, q.P90, q.P99, q.P999} {
			if q.Count == 0 {
				d = 0
			}
			line += padLeft(fmtDur(d), colW)
		}
		return fit(line, w)
	}
	return []string{
		st.heading("latency", w),
		fit(st.dim.Render(head), w),
		row("last 1s", s.LastSecond),
		row("run raw", s.Whole),
		row("run corr", s.WholeCorrected),
	}
}
