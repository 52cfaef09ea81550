package dashboard

import (
	"context"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/refreshstorm/refreshstorm/results"
)

// Run shows the live view full-screen (alternate screen, no mouse) on out,
// reading keys from in, until ctx is done (the run finished and its results
// are written) and returns nil once the terminal is restored. It does not
// end by itself on q or ctrl+c: those call ctl.Stop / ctl.Interrupt and the
// engine then cancels ctx.
//
// Colours are off when NO_COLOR is set; otherwise Bubble Tea fits them to
// what the terminal's environment says it supports. OS signals are left to
// the caller: the program installs no handler, so a SIGINT reaches the
// engine and never tears the view down before results are written.
func Run(ctx context.Context, h Header, snap func() results.Snapshot, ctl Control, in io.Reader, out io.Writer) error {
	if ctx.Err() != nil {
		return nil
	}
	opts := []tea.ProgramOption{tea.WithInput(in), tea.WithOutput(out), tea.WithoutSignalHandler()}
	if !isTerminal(out) {
		// No size to ask for: draw at the fallback size rather than wait.
		opts = append(opts, tea.WithWindowSize(fallbackW, fallbackH))
	}
	p := tea.NewProgram(NewModel(h, snap, ctl, noColorEnv()), opts...)

	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			p.Quit()
		case <-done:
		}
	}()
	_, err := p.Run()
	close(done)
	return err
}

// noColorEnv reports whether the NO_COLOR convention asks for no colour.
func noColorEnv() bool { return os.Getenv("NO_COLOR") != "" }
