package dashboard

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// overheadRuns alternates the order of the two phases between calls, so
// that with -count 3 neither side always runs first.
var overheadRuns atomic.Int64

// BenchmarkDashboardOverhead measures what the live dashboard costs the
// load (DESIGN budget: at most 3 %). In one process and against the same
// loopback authserver it runs the engine at max rate for 3 s headless and
// for 3 s with dashboard.Run drawing concurrently (input: a pipe that never
// sends a key; output: discarded), each phase with a fresh signed-in pool,
// and reports refreshes/s of both and their ratio. The phase order
// alternates between calls. Run with -benchtime 1x, e.g.
//
//	go test -run xxx -bench DashboardOverhead -benchtime 1x -count 3 ./dashboard/
//
// Without a terminal Bubble Tea still renders: View runs after every
// refresh tick and each changed frame is written to the output (frames/s
// reports how many), at the 80x24 fallback size and without colour.
// BenchmarkDashboardFrame gives the cost of one refresh at bigger sizes
// with colour, to scale this by.
func BenchmarkDashboardOverhead(b *testing.B) {
	const workers, sessions, dur = 16, 64, 3 * time.Second
	srv, creds := rig.Authserver(b, "strict", sessions)
	for i := 0; i < b.N; i++ {
		dashFirst := overheadRuns.Add(1)%2 == 0
		var headless, dash float64
		var frames uint64
		if dashFirst {
			dash, frames = overheadPhase(b, srv.URL, creds, workers, sessions, dur, true)
			headless, _ = overheadPhase(b, srv.URL, creds, workers, sessions, dur, false)
		} else {
			headless, _ = overheadPhase(b, srv.URL, creds, workers, sessions, dur, false)
			dash, frames = overheadPhase(b, srv.URL, creds, workers, sessions, dur, true)
		}
		order := "headless first"
		if dashFirst {
			order = "dashboard first"
		}
		b.Logf("%s: headless %.0f/s, dashboard %.0f/s, ratio %.4f, %d frames written",
			order, headless, dash, dash/headless, frames)
		b.ReportMetric(headless, "headless_rps")
		b.ReportMetric(dash, "dashboard_rps")
		b.ReportMetric(dash/headless, "ratio")
		b.ReportMetric(float64(frames)/dur.Seconds(), "frames/s")
	}
}

// overheadPhase runs the engine at max rate for dur and returns the
// rotated refreshes per second and, with the dashboard, the frames it
// wrote.
func overheadPhase(b *testing.B, url string, creds []targets.Credential, workers uint64, sessions int, dur time.Duration, withDash bool) (float64, uint64) {
	b.Helper()
	transport := attack.NewTransport(int(workers) + 8)
	defer transport.CloseIdleConnections()
	pool := rig.SignedInPool(b, url, sessions, creds, transport)
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: dur})
	e, err := attack.New(attack.Config{Pool: pool, Creds: creds, Transport: transport, Rate: 0, Duration: dur,
		MaxWorkers: workers, Recorder: rec})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &frameCounter{}
	var viewDone chan error
	var keys *io.PipeWriter
	if withDash {
		var in *io.PipeReader
		in, keys = io.Pipe()
		viewDone = make(chan error, 1)
		hdr := Header{Target: "embedded authserver " + url, Policy: "strict"}
		go func() { viewDone <- Run(ctx, hdr, e.Snapshot, engineControl{e}, in, out) }()
	}

	start := time.Now()
	if _, err := e.Run(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	if withDash {
		cancel()
		keys.Close()
		if err := <-viewDone; err != nil {
			b.Fatal(err)
		}
	}
	snap := rec.Snapshot(time.Now())
	if f := snap.Failures(); f > 0 {
		b.Fatalf("%d failures at max rate", f)
	}
	return float64(snap.Outcomes[oracle.OKRotated]) / elapsed.Seconds(), out.writes.Load()
}

// engineControl is the dashboard's Control over an engine, as the CLI's.
type engineControl struct{ *attack.Engine }

func (c engineControl) Interrupt() { c.Stop() }

// frameCounter discards what it is given, like io.Discard, and counts the
// frames: the renderer writes each changed frame in one call; the short
// writes of terminal modes (alt screen, cursor) are not counted.
type frameCounter struct{ writes atomic.Uint64 }

func (f *frameCounter) Write(p []byte) (int, error) {
	if len(p) >= 64 {
		f.writes.Add(1)
	}
	return len(p), nil
}

// BenchmarkDashboardFrame measures one refresh of the live view as the
// program does it every 250 ms: a tick (snapshot pull) and a full View,
// with colour, on a busy snapshot (a minute of seconds, chaos, failures).
// The dashboard's CPU share is about 4 x ns/op per second of one core.
func BenchmarkDashboardFrame(b *testing.B) {
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			var m tea.Model = sized(NewModel(fixtureHeader, snapOf(busySnapshot()), &fakeControl{}, false), sz[0], sz[1])
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				m, _ = m.Update(tickMsg(time.Now()))
				n += len(m.View())
			}
			if n == 0 {
				b.Fatal("empty view")
			}
			b.ReportMetric(4*float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9*100, "%core@4fps")
		})
	}
}
