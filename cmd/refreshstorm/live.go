package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/dashboard"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// liveView is what the user sees while a run goes: the dashboard on a
// terminal, else one progress line per interval on stderr.
type liveView struct {
	eng         *attack.Engine
	stdout      io.Writer
	stderr      io.Writer
	useTUI      bool
	header      dashboard.Header
	interrupted atomic.Bool
	// The previous progress line's position; progress is called from the
	// engine's collector goroutine only.
	lastElapsed time.Duration
	lastRefresh uint64
}

func newLiveView(sc scenario, p *plan, target string, eng *attack.Engine, stdout, stderr io.Writer) *liveView {
	v := &liveView{eng: eng, stdout: stdout, stderr: stderr}
	if f, ok := stdout.(*os.File); ok && !sc.Headless {
		var why string
		v.useTUI, why = dashboard.Usable(os.Stdin, f)
		if !v.useTUI && term.IsTerminal(int(f.Fd())) {
			// A terminal the view cannot use: say why it is not shown.
			fmt.Fprintf(stderr, "dashboard off: %s; showing progress lines\n", why)
		}
	}
	v.header = dashboard.Header{Target: target, Policy: p.policy.String(), Chaos: p.chaos.String()}
	if sc.Target == "" {
		v.header.Target = "embedded authserver " + target
	}
	return v
}

// start shows the dashboard until ctx ends; the returned channel closes
// when the terminal is restored.
func (v *liveView) start(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if !v.useTUI {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		if err := dashboard.Run(ctx, v.header, v.eng.Snapshot, v, os.Stdin, v.stdout); err != nil {
			fmt.Fprintln(v.stderr, "dashboard:", err)
		}
	}()
	return done
}

// progress prints one headless line; the dashboard has its own view.
func (v *liveView) progress(s results.Snapshot) {
	if v.useTUI {
		return
	}
	var rej, undecided uint64
	for o, n := range s.Outcomes {
		switch oracle.Outcome(o).Category() {
		case oracle.Rejected:
			rej += n
		case oracle.Undecided:
			undecided += n
		}
	}
	// The rate over the whole interval since the last line, not the last
	// second: at 0.2/s a single second is almost always empty.
	achieved := 0.0
	if dt := s.Elapsed - v.lastElapsed; dt > 0 {
		achieved = float64(s.Refresh-v.lastRefresh) / dt.Seconds()
	}
	v.lastElapsed, v.lastRefresh = s.Elapsed, s.Refresh
	fmt.Fprintf(v.stderr, "[%6s%s] rate %7.1f/s  p99 %-9s ok %-8d rejected %-6d failed %-6d undecided %-6d dropped %d%s\n",
		s.Elapsed.Round(time.Second), progressOf(s), achieved, s.Whole.P99.Round(time.Microsecond*10),
		s.Outcomes[oracle.OKRotated]+s.Outcomes[oracle.OKGraceSameChild]+s.Outcomes[oracle.OKGraceSibling]+s.Outcomes[oracle.OKGraceCurrentHead],
		rej, s.Failures(), undecided, s.Dropped, failingNote(s))
}

// progressOf is " 40% ETA 6s" for a run of known length, else "".
func progressOf(s results.Snapshot) string {
	if s.Duration <= 0 {
		return ""
	}
	done := min(1, max(0, s.Elapsed.Seconds()/s.Duration.Seconds()))
	left := max(0, s.Duration-s.Elapsed).Round(time.Second)
	return fmt.Sprintf(" %3.0f%% ETA %s", 100*done, left)
}

func failingNote(s results.Snapshot) string {
	if s.Failing == "" {
		return ""
	}
	return "  FAILING: " + s.Failing
}

func (v *liveView) interruptedByUser() bool { return v.interrupted.Load() }

// Control for the dashboard.
func (v *liveView) Stop() { v.eng.Stop() }
func (v *liveView) Interrupt() {
	v.interrupted.Store(true)
	v.eng.Stop()
}
func (v *liveView) SetPaused(paused bool) { v.eng.SetPaused(paused) }
func (v *liveView) SetRate(rate float64) float64 {
	return v.eng.SetRate(rate)
}
