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
	st := m.st
	evs := m.cur.RecentFailures
	n = min(max(n, 0), len(evs))
	title := "recent failures"
	if n < len(evs) {
		title += fmt.Sprintf(" (newest %d of %d)", n, len(evs))
	}
	lines := []string{st.heading(title, w)}
	if len(evs) == 0 {
		return append(lines, st.dim.Render(fit("none", w)))
	}

	outW := 0
	for _, e := range evs[len(evs)-n:] {
		outW = max(outW, len(e.Outcome.String()))
	}
	for i := len(evs) - 1; i >= len(evs)-n; i-- {
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
			lines = append(lines, head+"  "+detail)
		case twoLine:
			lines = append(lines, fit(head, w), fit(pad("", 9)+detail, w))
		case room >= 8:
			lines = append(lines, head+"  "+fit(detail, room))
		default:
			lines = append(lines, fit(head, w))
		}
	}
	return lines
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
