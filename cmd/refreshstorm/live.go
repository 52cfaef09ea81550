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
}

func newLiveView(sc scenario, p *plan, target string, eng *attack.Engine, stdout, stderr io.Writer) *liveView {
	v := &liveView{eng: eng, stdout: stdout, stderr: stderr}
	if f, ok := stdout.(*os.File); ok && !sc.Headless && term.IsTerminal(int(f.Fd())) && term.IsTerminal(int(os.Stdin.Fd())) {
		v.useTUI = true
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
	achieved := 0.0
	if k := len(s.Seconds); k > 0 {
		achieved = s.Seconds[k-1].Rate
	}
	fmt.Fprintf(v.stderr, "[%6s] rate %7.1f/s  p99 %-9s ok %-8d rejected %-6d failed %-6d undecided %-6d dropped %d\n",
		s.Elapsed.Round(time.Second), achieved, s.LastSecond.P99.Round(time.Microsecond*10),
		s.Outcomes[oracle.OKRotated]+s.Outcomes[oracle.OKGraceSameChild]+s.Outcomes[oracle.OKGraceSibling]+s.Outcomes[oracle.OKGraceCurrentHead],
		rej, s.Failures(), undecided, s.Dropped)
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
