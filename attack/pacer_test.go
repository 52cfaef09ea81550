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
