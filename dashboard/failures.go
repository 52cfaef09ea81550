package dashboard

import (
	"fmt"
	"strconv"

	"github.com/refreshstorm/refreshstorm/results"
)

// fingerprintW is how many characters of a fingerprint are shown.
const fingerprintW = 8

// recentLines lists up to n of the most recent failures, newest first.
// With twoLine each explanation gets its own line instead of being cut.
func (m Model) recentLines(w, n int, twoLine bool) []string {
	return m.recentBlock(w, m.recentEvents(w, twoLine), n)
}

// recentBlock is the panel with the first n of events (each event's lines,
// newest first), under a title that says how many are left out.
func (m Model) recentBlock(w int, events [][]string, n int) []string {
	n = min(max(n, 0), len(events))
	title := "recent failures"
	if n < len(events) {
		title += fmt.Sprintf(" (newest %d of %d)", n, len(events))
	}
	lines := []string{m.st.heading(title, w)}
	if len(events) == 0 {
		return append(lines, m.st.dim.Render(fit("none", w)))
	}
	for _, ev := range events[:n] {
		lines = append(lines, ev...)
	}
	return lines
}

// recentEvents renders every recent failure, newest first, as its lines.
func (m Model) recentEvents(w int, twoLine bool) [][]string {
	st := m.st
	evs := m.cur.RecentFailures
	outW := 0
	for _, e := range evs {
		outW = max(outW, len(e.Outcome.String()))
	}
	out := make([][]string, 0, len(evs))
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		head := st.dim.Render(e.Time.Format("15:04:05")) + " " +
			st.bad.Render(pad(e.Outcome.String(), outW)) + " " +
			pad(e.Kind.String(), 9) + " " + padLeft(status(e.Status), 3) + " " +
			st.dim.Render("s:"+short(e.Session)+" f:"+short(e.Family))
		detail := explanation(e)
		if e.Chaos != "" {
			detail = st.accent.Render("["+e.Chaos+"]") + " " + detail
		}
		switch room := w - width(head) - 2; {
		case width(detail) <= room:
			out = append(out, []string{head + "  " + detail})
		case twoLine:
			out = append(out, []string{fit(head, w), fit(pad("", 9)+detail, w)})
		case room >= 8:
			out = append(out, []string{head + "  " + fit(detail, room)})
		default:
			out = append(out, []string{fit(head, w)})
		}
	}
	return out
}

// explanation is the oracle's detail, or the outcome's meaning without one.
func explanation(e results.FailureEvent) string {
	if e.Detail != "" {
		return e.Detail
	}
	return e.Outcome.Meaning()
}

func status(code int) string {
	if code == 0 {
		return "---"
	}
	return strconv.Itoa(code)
}

func short(fp string) string {
	if fp == "" {
		return "-"
	}
	if len(fp) > fingerprintW {
		return fp[:fingerprintW]
	}
	return fp
}
