package attack

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// Progress snapshots are taken at the run clock's boundaries, not at the
// next 250 ms snapshot tick: every line's elapsed time is a whole number
// of intervals plus the same constant (the gap between the recorder's and
// the engine's start), so cumulative counts do not jitter with the tick.
func TestProgressFallsOnRunClockBoundaries(t *testing.T) {
	declared, _ := oracle.ParsePolicy("strict")
	srv, creds := rig.Authserver(t, "strict", 5)
	transport := NewTransport(16)
	t.Cleanup(transport.CloseIdleConnections)
	pool := rig.SignedInPool(t, srv.URL, 5, creds, transport)
	const dur, every = 2 * time.Second, 300 * time.Millisecond
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: dur})
	var mu sync.Mutex
	var elapsed []time.Duration
	eng, err := New(Config{
		Pool: pool, Creds: creds, Transport: transport, Rate: 50, Duration: dur,
		Timeout: 5 * time.Second, Policy: declared, Recorder: rec, Interval: every,
		Progress: func(s results.Snapshot) {
			mu.Lock()
			elapsed = append(elapsed, s.Elapsed)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), dur+30*time.Second)
	defer cancel()
	if _, err := eng.Run(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(elapsed) < 3 {
		t.Fatalf("only %d progress lines in %v at %v", len(elapsed), dur, every)
	}
	offset := elapsed[0] % every // the recorder starts a moment before the engine
	for i, e := range elapsed {
		if e%every != offset || e < every {
			t.Errorf("line %d at %v: off the %v grid (offset %v, want %v)", i, e, every, e%every, offset)
		}
		if i > 0 && e <= elapsed[i-1] {
			t.Errorf("line %d at %v does not follow %v", i, e, elapsed[i-1])
		}
	}
}
