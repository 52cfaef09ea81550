package dashboard

import (
	"context"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/refreshstorm/refreshstorm/results"
)

// Run shows the live view full-screen (alternate screen, no mouse) on out,
// reading keys from in, until ctx is done (the run finished and its results
// are written) and returns nil once the terminal is restored. It does not
// end by itself on q or ctrl+c: those call ctl.Stop / ctl.Interrupt and the
// engine then cancels ctx.
//
// Colours follow out's capabilities and are off when NO_COLOR is set.
// OS signals are left to the caller: the program installs no handler, so a
// SIGINT reaches the engine and never tears the view down before results
// are written.
func Run(ctx context.Context, h Header, snap func() results.Snapshot, ctl Control, in io.Reader, out io.Writer) error {
	if ctx.Err() != nil {
		return nil
	}
	m := newModel(h, snap, ctl, newRenderer(out, noColorEnv()))
	p := tea.NewProgram(m,
		tea.WithAltScreen(),
		tea.WithInput(in),
		tea.WithOutput(out),
		tea.WithoutSignalHandler(),
	)

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
