package dashboard

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// helpKeyW is the width of the key column of the help.
const helpKeyW = 10

// helpLines is the overlay shown by '?': the keys and how to read the view.
func (m Model) helpLines(w int) []string {
	st := m.st
	entries := [][2]string{
		{"q", "end the run early: results are written, exit code by verdict"},
		{"ctrl+c", "interrupt as SIGINT: results are written, exit code 130"},
		{"space", "pause / resume the load"},
		{"+ / -", "raise / lower the requested rate by 10% (not at max rate)"},
		{"? / esc", "close this help"},
		{"", ""},
		{"verdict", "FAILING when any threshold is lost (judged once a second, as at the end), any fail_* > 0, or transport_error + timeout >= 1% of requests"},
		{"now", "achieved rate of the last complete second"},
		{"run corr", "latency measured from the scheduled send time (coordinated omission)"},
		{"dropped", "pacer ticks that found no idle session"},
		{"race", "race_logouts: benign races that ended in a logout, per 1,000 refreshes"},
	}
	lines := []string{st.heading("help", w)}
	for _, e := range entries {
		// Long meanings wrap, hanging under their own entry.
		for i, l := range strings.Split(ansi.Wordwrap(e[1], max(w-helpKeyW-hangW, 8), ""), "\n") {
			head := pad(st.accent.Render(e[0]), helpKeyW)
			if i > 0 {
				head = pad("", helpKeyW+hangW)
			}
			lines = append(lines, fit(head+l, w))
		}
	}
	return lines
}

// footerLine shows the keys, or what the run is doing after q / ctrl+c.
func (m Model) footerLine(w int) string {
	st := m.st
	k := func(key, what string) string { return st.accent.Render(key) + " " + st.dim.Render(what) }
	switch {
	case m.interrupting:
		return fit(st.warn.Render("interrupted — writing results…"), w)
	case m.stopping:
		return fit(st.warn.Render("stopping — writing results…")+"   "+k("ctrl+c", "interrupt"), w)
	}
	pause := "pause"
	if m.paused {
		pause = "resume"
	}
	rate := "rate ±10%"
	if m.rate <= 0 {
		rate = "rate (max: off)"
	}
	return fit(k("q", "stop")+"  "+k("ctrl+c", "interrupt")+"  "+k("space", pause)+"  "+
		k("+/-", rate)+"  "+k("?", "help"), w)
}
