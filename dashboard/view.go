package dashboard

import tea "charm.land/bubbletea/v2"

// View is the full-screen frame for Bubble Tea: the alternate screen, no
// mouse, no cursor.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	return v
}

// render draws the whole screen: header, body sized to the terminal,
// footer. An unknown (unsized or 0) dimension is taken as 80×24.
//
// The header and body are lists of lines, each section a method returning
// its own lines, so a new section is one method and one place in body.
func (m Model) render() string {
	w, h := m.width, m.height
	if !m.sized || w <= 0 { // unknown: some ptys report 0×0
		w = fallbackW
	}
	if !m.sized || h <= 0 {
		h = fallbackH
	}
	lines := m.headerLines(w)
	if bodyH := h - len(lines) - 1; bodyH > 0 {
		var body []string
		if m.help {
			body = m.helpLines(w)
		} else {
			body = m.body(w, bodyH)
		}
		body = cut(body, bodyH, m.st)
		for len(body) < bodyH {
			body = append(body, "")
		}
		lines = append(lines, body...)
	}
	lines = append(lines, m.footerLine(w))
	return clip(lines, w, h)
}

// sideBySideMinW is the width from which two sections share a row.
const sideBySideMinW = 72

// body fills h lines. Sections are granted room by priority: failure rows
// first, then throughput and latency, failure meanings, the other outcomes
// (compact), the newest failure, families/sessions/chaos, the outcome
// table, more recent failures, charts and the zero rows; the charts then
// grow into whatever is left.
func (m Model) body(w, h int) []string {
	budget := h
	take := func(n int) bool {
		if n > budget {
			return false
		}
		budget -= n
		return true
	}

	var plan outcomePlan
	outH := len(m.outcomeLines(w, plan))
	take(min(outH, budget))

	side := w >= sideBySideMinW
	perfH := 5
	if !side {
		perfH = 9
	}
	perf := take(perfH)

	grow := func(next outcomePlan) {
		if n := len(m.outcomeLines(w, next)); take(n - outH) {
			plan, outH = next, n
		}
	}
	grow(outcomePlan{wrap: true})
	grow(outcomePlan{others: othersCompact, wrap: plan.wrap})

	var recent []string
	var ev recentRenders
	if len(m.cur.RecentFailures) > 0 {
		ev = recentRenders{m.recentEvents(w, false), m.recentEvents(w, true)}
	}
	if len(m.cur.RecentFailures) > 0 && budget >= 2 {
		recent = m.fitRecent(w, budget, 1, ev)
		take(len(recent))
	}

	var state []string
	if budget >= 2 {
		state = m.stateLines(w)
		state = cut(state, budget, m.st)
		take(len(state))
	}

	grow(outcomePlan{others: othersTable, wrap: plan.wrap})
	if len(recent) > 0 {
		if more := m.fitRecent(w, len(recent)+budget, len(m.cur.RecentFailures), ev); take(len(more) - len(recent)) {
			recent = more
		}
	}

	chartH := 0
	if m.chartsFit(w) && take(chartMinH+1) {
		chartH = chartMinH + 1
	}

	if len(recent) == 0 && budget >= 2 {
		recent = m.recentLines(w, 0, false)
		take(len(recent))
	}
	grow(outcomePlan{others: plan.others, wrap: plan.wrap, zero: true})
	if chartH > 0 {
		chartH += budget
	}

	var out []string
	if perf {
		if side {
			lw := (w - 1) / 2
			out = append(out, columns(m.throughputLines(lw), m.latencyLines(w-lw-1), lw, w-lw-1)...)
		} else {
			out = append(out, m.throughputLines(w)...)
			out = append(out, m.latencyLines(w)...)
		}
	}
	if chartH > 0 {
		out = append(out, m.chartPair(w, chartH)...)
	}
	out = append(out, m.outcomeLines(w, plan)...)
	out = append(out, state...)
	return append(out, recent...)
}

// recentRenders are the recent failures rendered once per frame, one line
// and two lines each.
type recentRenders struct{ one, two [][]string }

// oneLineRecentMinW is the width under which a one-line failure leaves too
// little room for the oracle's explanation.
const oneLineRecentMinW = 120

// fitRecent picks how many recent failures, at most maxN, fit in h lines,
// preferring a line of its own for each explanation unless that hides
// too many events.
func (m Model) fitRecent(w, h, maxN int, ev recentRenders) []string {
	most := func(twoLine bool) ([]string, int) {
		events := ev.one
		if twoLine {
			events = ev.two
		}
		used, n := 1, 0 // the title
		for n < min(maxN, len(events)) && used+len(events[n]) <= h {
			used += len(events[n])
			n++
		}
		if n == 0 {
			return nil, 0
		}
		return m.recentBlock(w, events, n), n
	}
	two, n2 := most(true)
	one, n1 := most(false)
	if n2 > 0 && (n2 >= min(n1, 3) || w < oneLineRecentMinW) {
		return two
	}
	return one
}
