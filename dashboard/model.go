package dashboard

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/refreshstorm/refreshstorm/results"
)

// refreshEvery is how often the model pulls a snapshot and redraws.
const refreshEvery = 250 * time.Millisecond

// fallbackW and fallbackH size the view while the terminal size is unknown.
const fallbackW, fallbackH = 80, 24

var _ tea.Model = Model{}

// Model is the Bubble Tea model of the live view. It implements tea.Model.
type Model struct {
	hdr  Header
	snap func() results.Snapshot
	ctl  Control
	st   styles

	cur results.Snapshot // the latest snapshot pulled

	width, height int
	sized         bool // a WindowSizeMsg arrived

	paused       bool    // load paused by the user
	rate         float64 // requested rate in force; 0 = max
	help         bool    // help overlay shown
	stopping     bool    // q pressed: ctl.Stop() called, results being written
	interrupting bool    // ctrl+c pressed: ctl.Interrupt() called
}

// NewModel returns the live view of one run. snap is called from the
// program's goroutine at each refresh, never more often; ctl receives the
// user's keys. noColor renders without any ANSI colour or attribute.
func NewModel(h Header, snap func() results.Snapshot, ctl Control, noColor bool) Model {
	m := Model{hdr: h, snap: snap, ctl: ctl, st: newStyles(noColor)}
	m.pull()
	m.paused = m.cur.Paused
	return m
}

// Init starts the refresh ticks.
func (m Model) Init() tea.Cmd { return tick() }

type tickMsg time.Time

func tick() tea.Cmd {
	return tea.Tick(refreshEvery, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// pull takes a fresh snapshot; the engine's rate is authoritative.
func (m *Model) pull() {
	if m.snap == nil {
		return
	}
	m.cur = m.snap()
	m.rate = m.cur.RequestedRate
}
