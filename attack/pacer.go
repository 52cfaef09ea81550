package attack

import (
	"context"
	"math"
	"sync"
	"time"
)

// livePacer is a constant-rate vegeta.Pacer whose rate can change and that
// can pause while an attack runs (dashboard keys). Each change starts a new
// segment so the schedule before it is kept: that schedule is also what
// coordinated-omission correction measures latency against.
type livePacer struct {
	mu       sync.Mutex
	ctx      context.Context
	duration time.Duration // the attack's; a pause does not outlast it
	rate     float64       // hits per second; 0 = as fast as possible
	segStart time.Duration
	segHits  uint64
	lastElap time.Duration
	lastHits uint64
	paused   bool
	resumed  chan struct{}
	changes  []RateChange
	segments []segment
}

// RateChange records a live change of the requested rate.
type RateChange struct {
	At   time.Duration
	Rate float64
}

type segment struct {
	start time.Duration
	hits  uint64
	rate  float64
}

func newLivePacer(ctx context.Context, rate float64, duration time.Duration) *livePacer {
	p := &livePacer{ctx: ctx, rate: rate, duration: duration, resumed: make(chan struct{})}
	p.segments = []segment{{rate: rate}}
	return p
}

// Pace implements vegeta.Pacer. vegeta sleeps for the returned wait and
// then sends a tick, so pausing has to block here.
func (p *livePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	p.mu.Lock()
	if p.paused {
		// vegeta measured elapsed before calling; the pause adds to it.
		pausedAt := time.Now()
		var ends <-chan time.Time
		if p.duration > 0 {
			t := time.NewTimer(p.duration - elapsed)
			defer t.Stop()
			ends = t.C
		}
		for p.paused {
			ch := p.resumed
			p.mu.Unlock()
			select {
			case <-ch:
			case <-ends:
				return 0, true
			case <-p.ctx.Done():
				return 0, true
			}
			p.mu.Lock()
		}
		elapsed += time.Since(pausedAt)
	}
	defer p.mu.Unlock()
	if p.ctx.Err() != nil {
		return 0, true
	}
	p.lastElap, p.lastHits = elapsed, hits
	if p.rate <= 0 {
		return 0, false
	}
	interval := time.Duration(float64(time.Second) / p.rate)
	due := p.segStart + time.Duration(hits-p.segHits+1)*interval
	if due <= elapsed {
		return 0, false
	}
	return due - elapsed, false
}

// Rate implements vegeta.Pacer.
func (p *livePacer) Rate(time.Duration) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused {
		return 0
	}
	return p.rate
}

// SetRate changes the rate from the next tick on and returns it.
func (p *livePacer) SetRate(rate float64, at time.Duration) float64 {
	if rate < 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		rate = 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rate = rate
	p.rebase(at)
	p.changes = append(p.changes, RateChange{At: at, Rate: rate})
	return rate
}

// SetPaused stops or resumes ticks.
func (p *livePacer) SetPaused(paused bool, at time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused == paused {
		return
	}
	p.paused = paused
	if !paused {
		p.rebase(at)
		close(p.resumed)
		p.resumed = make(chan struct{})
	}
}

// rebase starts a new schedule segment at elapsed time at.
func (p *livePacer) rebase(at time.Duration) {
	p.segStart, p.segHits = at, p.lastHits
	if p.lastElap > at {
		p.segStart = p.lastElap
	}
	p.segments = append(p.segments, segment{start: p.segStart, hits: p.segHits, rate: p.rate})
}

// Intended returns when hit number seq was scheduled, relative to the
// attack start; ok is false for unscheduled (max-rate) hits.
func (p *livePacer) Intended(seq uint64) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.segments) - 1; i >= 0; i-- {
		s := p.segments[i]
		if seq < s.hits {
			continue
		}
		if s.rate <= 0 {
			return 0, false
		}
		return s.start + time.Duration(float64(seq-s.hits+1)*float64(time.Second)/s.rate), true
	}
	return 0, false
}

// Current returns the rate in force and whether the pacer is paused.
func (p *livePacer) Current() (float64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate, p.paused
}

// Changes returns the recorded rate changes.
func (p *livePacer) Changes() []RateChange {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]RateChange(nil), p.changes...)
}
