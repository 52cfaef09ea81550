package dashboard

import (
	"time"

	"github.com/NimbleMarkets/ntcharts/sparkline"

	"github.com/refreshstorm/refreshstorm/results"
)

// completeSeconds returns the per-second points whose second is over: a
// trailing point for the second still running is left out.
func completeSeconds(s *results.Snapshot) []results.SecondPoint {
	pts := s.Seconds
	if n := len(pts); n > 0 && time.Duration(pts[n-1].Second+1)*time.Second > s.Elapsed {
		pts = pts[:n-1]
	}
	return pts
}

// throughputLines shows requested vs achieved rate, totals, dropped ticks
// and, when sparkH > 0, a sparkline of the achieved rate per second.
func (m Model) throughputLines(w, sparkH int) []string {
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
	if sparkH <= 0 || w < 10 || len(pts) == 0 {
		return lines
	}
	sl := sparkline.New(w, sparkH, sparkline.WithStyle(st.accent))
	for _, p := range pts {
		sl.Push(p.Rate)
	}
	sl.DrawColumnsOnly()
	return append(lines, splitLines(sl.View())...)
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
