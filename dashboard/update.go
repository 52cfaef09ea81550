package dashboard

import (
	tea "charm.land/bubbletea/v2"
)

// rateStep is the relative change of one + or - key press.
const rateStep = 0.10

// Update handles resizes, refresh ticks and keys.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height, m.sized = msg.Width, msg.Height, true
	case tickMsg:
		m.pull()
		return m, tick()
	case tea.KeyPressMsg:
		m.key(msg.String())
	}
	return m, nil
}

// key applies one key press. The model never quits by itself: after q or
// ctrl+c it waits for the engine to finish writing results and end the run.
func (m *Model) key(k string) {
	switch k {
	case "q":
		if !m.stopping && m.ctl != nil {
			m.ctl.Stop()
		}
		m.stopping = true
	case "ctrl+c":
		// Every press is forwarded, as repeated SIGINTs would be.
		if m.ctl != nil {
			m.ctl.Interrupt()
		}
		m.interrupting = true
	case "space", " ":
		if m.ending() {
			return
		}
		m.paused = !m.paused
		if m.ctl != nil {
			m.ctl.SetPaused(m.paused)
		}
	case "+", "=":
		m.scaleRate(1 + rateStep)
	case "-", "_":
		m.scaleRate(1 - rateStep)
	case "?":
		m.help = !m.help
	case "esc":
		m.help = false
	}
}

// ending reports whether q or ctrl+c was pressed: the load controls are
// then ignored while the engine winds the run down.
func (m *Model) ending() bool { return m.stopping || m.interrupting }

// scaleRate multiplies the requested rate; a no-op at max rate (0).
func (m *Model) scaleRate(f float64) {
	if m.rate <= 0 || m.ctl == nil || m.ending() {
		return
	}
	want := roundSig(m.rate*f, 4)
	if want <= 0 {
		return
	}
	m.rate = m.ctl.SetRate(want)
}
