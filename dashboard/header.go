package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/refreshstorm/refreshstorm/results"
)

// headerLines renders the three header lines: what is tested and the
// verdict so far, the policy and chaos mix, and the run's progress.
func (m Model) headerLines(w int) []string {
	st, s := m.st, &m.cur

	v := judge(s)
	right := st.badgeOK.Render(" PASSING ")
	if v.failing {
		right = st.badgeNG.Render(" FAILING ") + " " + st.bad.Render(v.reason)
	}
	switch {
	case m.stopping || m.interrupting:
		right = st.warn.Render("STOPPING") + "  " + right
	case m.paused:
		right = st.warn.Render("PAUSED") + "  " + right
	}
	target := m.hdr.Target
	if target == "" {
		target = "(no target)"
	}
	line1 := spread(st.title.Render("refreshstorm")+"  "+target, right, w)

	policy, chaos := m.hdr.Policy, m.hdr.Chaos
	if policy == "" {
		policy = "-"
	}
	if chaos == "" {
		chaos = "none"
	}
	if s.StageChaos != "" { // the stage's own mix replaces the run's
		chaos = s.StageChaos + " (this stage)"
	}
	line2 := st.dim.Render("policy ") + policy + "   " + st.dim.Render("chaos ") + chaos
	if s.Stage != "" { // first: it changes during the run, the mix does not
		line2 = st.dim.Render("stage ") + stageText(s) + "   " + line2
	}
	line2 = fit(line2, w)

	return []string{line1, line2, m.progressLine(w)}
}

// progressLine shows elapsed / planned time with a progress bar, or only the
// elapsed time when the run lasts until stopped. Both clocks count whole
// seconds of the same instant, so elapsed + left is always the duration.
func (m Model) progressLine(w int) string {
	st, s := m.st, &m.cur
	elapsed := s.Elapsed.Truncate(time.Second)
	if s.Duration <= 0 {
		return fit(st.dim.Render("elapsed ")+fmtClock(elapsed)+
			st.dim.Render("   runs until stopped (q)"), w)
	}
	elapsed = min(elapsed, s.Duration)
	text := " " + fmtClock(elapsed) + " / " + fmtClock(s.Duration) +
		st.dim.Render("  left ") + fmtClock(s.Duration-elapsed)
	barW := w - width(text)
	if barW < 10 {
		return fit(text[1:], w)
	}
	done := int(float64(barW) * min(max(float64(s.Elapsed)/float64(s.Duration), 0), 1))
	return st.accent.Render(strings.Repeat("█", done)) +
		st.rule.Render(strings.Repeat("░", barW-done)) + text
}

// stageText names the stage of a plan the run is in: "hold 2/3", and
// "(warmup)" when the verdict leaves it out.
func stageText(s *results.Snapshot) string {
	t := fmt.Sprintf("%s %d/%d", s.Stage, s.StageIndex+1, s.Stages)
	if s.StageWarmup {
		t += " (warmup)"
	}
	return t
}
