package dashboard

// View renders the whole screen: header, body sized to the terminal, footer.
// An unknown (unsized or 0) dimension is taken as 80×24.
func (m Model) View() string {
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
		for len(body) < bodyH {
			body = append(body, "")
		}
		lines = append(lines, body[:bodyH]...)
	}
	lines = append(lines, m.footerLine(w))
	return clip(lines, w, h)
}

// sideBySideMinW is the width from which two sections share a row.
const sideBySideMinW = 72

// body fills h lines. Sections are granted room by priority: failure rows
// first, then throughput and latency, failure meanings, the other outcomes
// (compact), the newest failure, families/sessions/chaos, the outcome
// table, more recent failures, charts and finally the zero rows.
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
		perfH = 8
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
	if len(m.cur.RecentFailures) > 0 && budget >= 2 {
		recent = m.fitRecent(w, budget, 1)
		take(len(recent))
	}

	var state []string
	if budget >= 2 {
		state = m.stateLines(w)
		state = state[:min(len(state), budget)]
		take(len(state))
	}

	grow(outcomePlan{others: othersTable, wrap: plan.wrap})
	if len(recent) > 0 {
		if more := m.fitRecent(w, len(recent)+budget, len(m.cur.RecentFailures)); take(len(more) - len(recent)) {
			recent = more
		}
	}

	var charts []string
	if w >= 2*chartMinW+1 && budget >= chartMinH+1 && len(completeSeconds(&m.cur)) >= 2 {
		ch := min(budget, 14)
		lw := (w - 1) / 2
		charts = columns(m.throughputChart(lw, ch), m.latencyChart(w-lw-1, ch), lw, w-lw-1)
		take(len(charts))
	}

	if len(recent) == 0 && budget >= 2 {
		recent = m.recentLines(w, 0, false)
		take(len(recent))
	}
	grow(outcomePlan{others: plan.others, wrap: plan.wrap, zero: true})

	var out []string
	if perf {
		spark := 0
		if len(charts) == 0 {
			spark = 2
		}
		if side {
			lw := (w - 1) / 2
			out = append(out, columns(m.throughputLines(lw, spark), m.latencyLines(w-lw-1), lw, w-lw-1)...)
		} else {
			out = append(out, m.throughputLines(w, 0)...)
			out = append(out, m.latencyLines(w)...)
		}
	}
	out = append(out, charts...)
	out = append(out, m.outcomeLines(w, plan)...)
	out = append(out, state...)
	return append(out, recent...)
}

// oneLineRecentMinW is the width under which a one-line failure leaves too
// little room for the oracle's explanation.
const oneLineRecentMinW = 120

// fitRecent picks how many recent failures, at most maxN, fit in h lines,
// preferring a line of its own for each explanation unless that hides
// too many events.
func (m Model) fitRecent(w, h, maxN int) []string {
	most := func(twoLine bool) ([]string, int) {
		var best []string
		n := 0
		for k := 1; k <= min(maxN, len(m.cur.RecentFailures)); k++ {
			l := m.recentLines(w, k, twoLine)
			if len(l) > h {
				break
			}
			best, n = l, k
		}
		return best, n
	}
	two, n2 := most(true)
	one, n1 := most(false)
	if n2 > 0 && (n2 >= min(n1, 3) || w < oneLineRecentMinW) {
		return two
	}
	return one
}
