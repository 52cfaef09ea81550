package dashboard

import (
	"github.com/refreshstorm/refreshstorm/oracle"
)

// How the outcomes other than counted failures are shown.
const (
	othersHidden  = iota // only failure rows with a count
	othersCompact        // counted outcomes flowed on one line per category
	othersTable          // one row per counted outcome
)

// outcomePlan says which outcome rows fit. Failure rows with a count are
// always shown, one per row; the rest is added as room allows.
type outcomePlan struct {
	others int  // othersHidden, othersCompact or othersTable
	zero   bool // rows with no count too (table only)
	wrap   bool // a failure meaning that does not fit goes on its own line
}

const outcomeCatW = 10

// outcomeLines renders the outcome table, grouped by category in
// declaration order: accepted, rejected, failed, undecided.
func (m Model) outcomeLines(w int, p outcomePlan) []string {
	st, s := m.st, &m.cur
	if p.others != othersTable {
		p.zero = false
	}
	var rows []oracle.Outcome
	nameW, countW := 0, 5
	for _, o := range oracle.AllOutcomes() {
		n := s.Outcomes[o]
		switch {
		case n > 0 && o.IsFailure():
		case n > 0 && p.others != othersHidden:
		case n == 0 && p.zero:
		default:
			continue
		}
		rows = append(rows, o)
		if n > 0 && (o.IsFailure() || p.others == othersTable) {
			nameW = max(nameW, len(o.String()))
			countW = max(countW, len(fmtCount(n)))
		}
	}
	if len(rows) == 0 {
		return []string{st.heading("outcomes", w), st.dim.Render(fit("no requests classified yet", w))}
	}
	lines := []string{st.heading("outcomes · count · share of "+fmtCount(s.Total), w)}

	// A category's counted outcomes in one flowed line (compact), or its
	// outcomes with no count yet in one "none yet:" line (table with
	// zero): the token profiles have many outcomes, and a row each would
	// push the rest of the view off the screen.
	var flowed, zeros []string
	prev := oracle.Category(255)
	catLabel := "" // the category's name until a line has carried it
	emit := func(items []string) {
		if len(items) > 0 {
			lines = append(lines, flow(st.dim.Render(catLabel), outcomeCatW, hangW, items, w)...)
			catLabel = ""
		}
	}
	flush := func() {
		emit(flowed)
		if len(zeros) > 0 {
			emit(append([]string{st.dim.Render("none yet:")}, zeros...))
		}
		flowed, zeros = nil, nil
	}
	for _, o := range rows {
		n := s.Outcomes[o]
		if c := o.Category(); c != prev {
			flush()
			catLabel, prev = c.String(), c
		}
		switch {
		case n == 0:
			zeros = append(zeros, st.dim.Render(o.String()))
		case p.others == othersCompact && !o.IsFailure():
			flowed = append(flowed, o.String()+" "+fmtCount(n)+st.dim.Render(" ("+fmtShare(n, s.Total)+")"))
		default:
			lines = append(lines, m.outcomeRow(w, o, catLabel, nameW, countW, p.wrap)...)
			catLabel = ""
		}
	}
	flush()
	return lines
}

// outcomeRow is one table row; a counted failure is red and carries its
// meaning, beside it or on the next line.
func (m Model) outcomeRow(w int, o oracle.Outcome, cat string, nameW, countW int, wrap bool) []string {
	st, s := m.st, &m.cur
	n := s.Outcomes[o]
	failing := o.IsFailure() && n > 0
	text := pad(o.String(), nameW) + " " + padLeft(fmtCount(n), countW) + " " +
		padLeft(fmtShare(n, s.Total), 7)
	switch {
	case failing:
		text = st.bad.Render(text)
	case n == 0:
		text = st.dim.Render(text)
	}
	catStyle := st.dim
	if o.IsFailure() && s.Failures() > 0 {
		catStyle = st.bad
	}
	line := pad(catStyle.Render(cat), outcomeCatW) + text
	if !failing {
		return []string{fit(line, w)}
	}
	meaning := o.Meaning()
	room := w - width(line) - 2
	switch {
	case width(meaning) <= room:
		return []string{line + "  " + st.bad.Render(meaning)}
	case wrap:
		return []string{fit(line, w), pad("", outcomeCatW+2) + st.bad.Render(fit(meaning, w-outcomeCatW-2))}
	case room >= 8:
		return []string{line + "  " + st.bad.Render(fit(meaning, room))}
	default:
		return []string{fit(line, w)}
	}
}
