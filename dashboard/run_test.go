package dashboard

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// lockedBuffer is an io.Writer safe to read while the program writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunWaitsForContextAfterQ(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inR, inW := io.Pipe()
	defer inW.Close()
	out := &lockedBuffer{}
	ctl := &fakeControl{}

	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, fixtureHeader, snapOf(forkSnapshot()), ctl, inR, out) }()

	go func() { _, _ = inW.Write([]byte("q")) }()
	waitUntil(t, "Stop", func() bool { return ctl.calls().stops == 1 })
	waitUntil(t, "the stopping notice", func() bool { return strings.Contains(out.String(), "stopping — writing results…") })

	select {
	case err := <-errc:
		t.Fatalf("Run returned (%v) before the run's context ended", err)
	case <-time.After(300 * time.Millisecond):
	}

	cancel() // the engine has written the results
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	got := out.String()
	if !strings.Contains(got, "\x1b[?1049h") || !strings.Contains(got, "\x1b[?1049l") {
		t.Errorf("alt screen not entered and left: %q", got)
	}
	if strings.Contains(got, "\x1b[?1000h") || strings.Contains(got, "\x1b[?1003h") {
		t.Error("mouse reporting enabled")
	}
	if c := ctl.calls(); c.stops != 1 || c.interrupts != 0 {
		t.Errorf("calls: %+v", c)
	}
}

func TestRunCtrlCInterrupts(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inR, inW := io.Pipe()
	defer inW.Close()
	ctl := &fakeControl{}
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, fixtureHeader, snapOf(forkSnapshot()), ctl, inR, &lockedBuffer{}) }()

	go func() { _, _ = inW.Write([]byte{0x03}) }() // ctrl+c in raw mode
	waitUntil(t, "Interrupt", func() bool { return ctl.calls().interrupts == 1 })
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if c := ctl.calls(); c.stops != 0 {
		t.Errorf("ctrl+c called Stop: %+v", c)
	}
}

func TestRunWithEndedContextReturnsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Header{}, nil, nil, strings.NewReader(""), io.Discard) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return")
	}
}

// TestProgramLiveView runs the model in a real Bubble Tea program (input
// and output are pipes, not a terminal) and drives it with key messages.
func TestProgramLiveView(t *testing.T) {
	ctl := &fakeControl{}
	inR, inW := io.Pipe()
	defer inW.Close()
	out := &lockedBuffer{}
	p := tea.NewProgram(NewModel(fixtureHeader, snapOf(forkSnapshot()), ctl, true),
		tea.WithInput(inR), tea.WithOutput(out), tea.WithWindowSize(80, 24), tea.WithoutSignalHandler())
	type result struct {
		m   tea.Model
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := p.Run()
		done <- result{m, err}
	}()
	waitUntil(t, "the first frame", func() bool {
		o := out.String()
		return strings.Contains(o, "fail_fork") && strings.Contains(o, "FAILING") && strings.Contains(o, "12.3ms")
	})

	p.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	waitUntil(t, "Stop", func() bool { return ctl.calls().stops == 1 })

	// While the run winds down, the load controls are ignored.
	p.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	p.Send(tea.KeyPressMsg{Code: '+', Text: "+"})
	p.Send(tea.KeyPressMsg{Code: '-', Text: "-"})
	p.Quit()
	var r result
	select {
	case r = <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("program did not quit")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	fm := r.m.(Model)
	if !fm.stopping || fm.paused {
		t.Fatalf("final model: stopping=%v paused=%v", fm.stopping, fm.paused)
	}
	if v := fm.render(); !strings.Contains(v, "stopping — writing results…") {
		t.Fatalf("final view lacks the stopping notice:\n%s", v)
	}
	if c := ctl.calls(); len(c.rates) != 0 || len(c.paused) != 0 || c.stops != 1 {
		t.Fatalf("calls after q: %+v", c)
	}
}

func TestNoColorEnv(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if !noColorEnv() {
		t.Fatal("NO_COLOR=1 not honoured")
	}
	st := newStyles(noColorEnv())
	if got := st.bad.Render("fail_fork"); got != "fail_fork" {
		t.Fatalf("styled text under NO_COLOR: %q", got)
	}
	t.Setenv("NO_COLOR", "")
	if noColorEnv() {
		t.Fatal("empty NO_COLOR must not disable colour")
	}
}
