package attack

import (
	"context"
	"testing"
	"time"
)

func TestLivePacerSchedule(t *testing.T) {
	p := newLivePacer(context.Background(), 100, 0)
	if wait, stop := p.Pace(0, 0); stop || wait != 10*time.Millisecond {
		t.Fatalf("first tick waits %s stop=%v, want 10ms", wait, stop)
	}
	if wait, _ := p.Pace(50*time.Millisecond, 2); wait != 0 {
		t.Fatalf("behind schedule waits %s, want 0", wait)
	}
	if at, ok := p.Intended(4); !ok || at != 50*time.Millisecond {
		t.Fatalf("hit 4 scheduled at %s", at)
	}
	// Doubling the rate at 100ms with 10 hits done: hit 10 is due 5ms later.
	p.Pace(100*time.Millisecond, 10)
	p.SetRate(200, 100*time.Millisecond)
	if at, _ := p.Intended(10); at != 105*time.Millisecond {
		t.Fatalf("after the change hit 10 is due at %s, want 105ms", at)
	}
	if at, _ := p.Intended(4); at != 50*time.Millisecond {
		t.Fatalf("the schedule before the change moved: %s", at)
	}
	if got := p.Changes(); len(got) != 1 || got[0].Rate != 200 {
		t.Fatalf("changes %v", got)
	}
}

func TestPauseStopsTheScheduleClock(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := newLivePacer(ctx, 100, 300*time.Millisecond)
	p.Pace(100*time.Millisecond, 10)
	p.SetPaused(true, 100*time.Millisecond)
	p.SetPaused(false, 400*time.Millisecond) // paused past the planned end
	if _, stop := p.Pace(400*time.Millisecond, 10); stop {
		t.Fatal("a pause used up the stage: its clock should stop while paused")
	}
	if at, _ := p.Intended(10); at != 410*time.Millisecond {
		t.Fatalf("hit 10 due at %s, want 410ms (the schedule resumes after the pause)", at)
	}
	if _, stop := p.Pace(601*time.Millisecond, 30); !stop {
		t.Fatal("the stage did not end 200ms of schedule after the pause")
	}
	if ps := p.Pauses(time.Second); len(ps) != 1 || ps[0].Length != 300*time.Millisecond {
		t.Fatalf("pauses %v", ps)
	}
	cancel()
	p.SetPaused(true, 0)
	if _, stop := p.Pace(0, 0); !stop {
		t.Fatal("a paused pacer ignored the end of the run")
	}
}

func TestResumeDoesNotCountThePauseTwice(t *testing.T) {
	q := newLivePacer(context.Background(), 100, 0)
	q.SetPaused(true, 0)
	go func() {
		time.Sleep(50 * time.Millisecond)
		q.SetPaused(false, 50*time.Millisecond)
	}()
	wait, stop := q.Pace(50*time.Millisecond, 0)
	if stop {
		t.Fatal("resume stopped the attack")
	}
	if wait > 15*time.Millisecond {
		t.Fatalf("after resuming the next tick waits %s: the pause was counted twice", wait)
	}
}

// TestBacklogStaysInItsStage: a run that fell behind in a stage catches up
// within it, but what it still owes when the next stage begins is dropped,
// so the next stage runs at its own rate from its own start.
func TestBacklogStaysInItsStage(t *testing.T) {
	p := newStagePacer(context.Background(), []Stage{
		{Name: "busy", Duration: time.Second, Shape: Shape{From: 1000, To: 1000}},
		{Name: "calm", Duration: time.Second, Shape: Shape{From: 10, To: 10}},
	})
	// Half a second in, 100 of 500 hits sent: catch up at once.
	if wait, stop := p.Pace(500*time.Millisecond, 100); stop || wait != 0 {
		t.Fatalf("behind inside the stage: wait %s stop %v, want 0", wait, stop)
	}
	// 200 ms into the calm stage with only 300 of the busy stage's 1,000
	// hits sent: the 700 owed are forfeited; the calm stage's own two hits
	// (due at 1.1 s and 1.2 s) are owed and go at once, the third waits.
	if wait, stop := p.Pace(1200*time.Millisecond, 300); stop || wait != 0 {
		t.Fatalf("after the boundary: wait %s stop %v, want 0", wait, stop)
	}
	if wait, _ := p.Pace(1200*time.Millisecond, 302); wait != 100*time.Millisecond {
		t.Fatalf("the calm stage's third hit waits %s, want 100ms", wait)
	}
	if at, ok := p.Intended(300); !ok || at != 1100*time.Millisecond {
		t.Fatalf("the first calm hit is scheduled at %s, want 1.1s", at)
	}
	if at, ok := p.Intended(99); !ok || at != 100*time.Millisecond {
		t.Fatalf("a busy hit moved: %s, want 100ms", at)
	}
	// Keeping pace in the calm stage forfeits nothing more.
	if wait, _ := p.Pace(1400*time.Millisecond, 303); wait != 0 {
		t.Fatalf("on time in the calm stage: wait %s", wait)
	}
	if at, ok := p.Intended(303); !ok || at != 1400*time.Millisecond {
		t.Fatalf("hit 303 is scheduled at %s, want 1.4s", at)
	}
}
