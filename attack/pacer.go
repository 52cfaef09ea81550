package attack

import (
	"context"
	"math"
	"sync"
	"time"
)

// livePacer is the vegeta.Pacer of a run: it follows the stage plan, its
// rate can be changed live and it can pause (dashboard keys). The plan runs
// on a schedule clock that stops while paused, so a paused stage keeps its
// length. Each change starts a new segment so the schedule before it is
// kept: that schedule is also what coordinated-omission correction
// measures latency against.
type livePacer struct {
	mu       sync.Mutex
	ctx      context.Context
	stages   []Stage
	ends     []time.Duration // schedule time at which each stage ends
	total    time.Duration   // 0 = runs until stopped
	unpaced  bool            // --rate 0: as fast as possible
	lastElap time.Duration
	lastHits uint64
	paused   bool
	resumed  chan struct{}
	changes  []RateChange
	pauses   []Pause
	segments []segment

	// settled is the stage whose start forfeitBacklog has checked.
	settled int

	open, closed bool          // an open plan grows (see openPlan)
	grown        chan struct{} // closed when an open plan grows or closes
	idleAt       time.Duration // when an open plan ran out; -1 = running
}

// RateChange records a live change of the requested rate.
type RateChange struct {
	At   time.Duration
	Rate float64
}

// Pause is one pause of the load, in wall time since the run started.
type Pause struct {
	At, Length time.Duration
}

// segment is a stretch of wall time over which the schedule clock runs
// (or, when paused, stands) at one setting.
type segment struct {
	wall     time.Duration // wall time the segment starts
	sched    time.Duration // schedule time at its start
	hits     uint64        // hits sent before it
	override float64       // live rate in force, < 0 = the plan's
	until    time.Duration // schedule time the override ends (end of its stage)
	paused   bool
}

// newLivePacer paces a constant rate for duration (0 = until stopped);
// rate 0 sends as fast as the workers allow.
func newLivePacer(ctx context.Context, rate float64, duration time.Duration) *livePacer {
	st := Stage{Name: "1", Duration: duration, Shape: Shape{From: rate, To: rate}}
	p := newStagePacer(ctx, []Stage{st})
	p.unpaced = rate <= 0
	return p
}

// newStagePacer paces the stages one after the other.
func newStagePacer(ctx context.Context, stages []Stage) *livePacer {
	p := &livePacer{ctx: ctx, stages: stages, resumed: make(chan struct{})}
	var at time.Duration
	for _, s := range stages {
		at += s.Duration
		p.ends = append(p.ends, at)
	}
	p.total = at
	if len(stages) == 1 && stages[0].Duration <= 0 {
		p.total = 0
		p.ends[0] = math.MaxInt64
	}
	p.segments = []segment{{override: -1}}
	return p
}

// stageAt returns the stage index at schedule time t.
func (p *livePacer) stageAt(t time.Duration) int {
	for i, end := range p.ends {
		if t < end {
			return i
		}
	}
	return len(p.ends) - 1
}

func (p *livePacer) stageStart(i int) time.Duration {
	if i == 0 {
		return 0
	}
	return p.ends[i-1]
}

// planHits is how many hits the plan asks for by schedule time t.
func (p *livePacer) planHits(t time.Duration) float64 {
	sum := 0.0
	for i, s := range p.stages {
		start := p.stageStart(i)
		if t <= start {
			break
		}
		d := s.Duration
		if p.total == 0 {
			d = time.Duration(math.MaxInt64)
		}
		sum += s.Shape.hitsBy(min(t-start, d), s.Duration)
	}
	return sum
}

// segHits is how many hits segment s asks for over schedule [s.sched, t].
func (p *livePacer) segHits(s segment, t time.Duration) float64 {
	if t <= s.sched {
		return 0
	}
	if s.override < 0 {
		return p.planHits(t) - p.planHits(s.sched)
	}
	if t <= s.until {
		return s.override * (t - s.sched).Seconds()
	}
	return s.override*(s.until-s.sched).Seconds() + p.planHits(t) - p.planHits(s.until)
}

// dueIn returns the schedule time at which segment s reaches n hits, or
// false if it does not before the plan ends.
func (p *livePacer) dueIn(s segment, n float64) (time.Duration, bool) {
	if due, ok := p.dueConstant(s, n); ok {
		return due, true
	}
	hi := p.total
	if hi == 0 {
		hi = s.sched + 24*time.Hour
	}
	if p.segHits(s, hi) < n {
		return hi, false
	}
	lo := s.sched
	for hi-lo > time.Microsecond/4 {
		mid := lo + (hi-lo)/2
		if p.segHits(s, mid) >= n {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}

// dueConstant solves dueIn exactly when the rate is constant from the
// segment's start to the due time, the common case.
func (p *livePacer) dueConstant(s segment, n float64) (time.Duration, bool) {
	rate, end := s.override, s.until
	if rate < 0 {
		i := p.stageAt(s.sched)
		if p.stages[i].Shape.Kind != ShapeConstant {
			return 0, false
		}
		rate, end = p.stages[i].Shape.From, p.ends[i]
	}
	if rate <= 0 {
		return 0, false
	}
	due := s.sched + time.Duration(n*float64(time.Second)/rate)
	return due, due <= end
}

// Pace implements vegeta.Pacer. vegeta sleeps for the returned wait and
// then sends a tick, so pausing, the idle tail of a plan and an open plan
// waiting for its next stage block here.
func (p *livePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.ctx.Err() != nil {
			return 0, true
		}
		if p.paused {
			p.waitLocked(p.resumed, -1)
			continue
		}
		seg := p.segments[len(p.segments)-1]
		// vegeta measured elapsed before a wait here ended; the schedule
		// resumes where the wait left it.
		elapsed = max(elapsed, seg.wall)
		p.lastElap, p.lastHits = elapsed, hits
		now := seg.sched + elapsed - seg.wall
		if p.total > 0 && now >= p.total {
			if !p.open || p.closed {
				return 0, true
			}
			if p.idleAt < 0 {
				p.idleAt = elapsed
			}
			p.waitLocked(p.grown, -1)
			continue
		}
		if p.unpaced && seg.override <= 0 {
			return 0, false
		}
		if p.forfeitBacklog(seg, now, hits) {
			continue
		}
		due, ok := p.dueIn(seg, float64(hits-seg.hits+1))
		if !ok {
			// Nothing more is asked for: idle out the plan.
			p.waitLocked(nil, due-now)
			elapsed += due - now
			continue
		}
		if due <= now {
			return 0, false
		}
		return due - now, false
	}
}

// forfeitBacklog drops the hits an earlier stage still owes once the
// schedule has moved into a later stage: within a stage a run that fell
// behind catches up, as vegeta's pacers do, but a backlog carried over a
// boundary would turn a gentle stage after an overloaded one into a burst
// at full speed. It starts a new segment at the stage's start with the
// hits sent so far, so Intended maps later hits onto the new stage's own
// schedule; the forfeited hits show as the earlier stage's shortfall.
// Hits only grow, so each stage's start needs checking once.
func (p *livePacer) forfeitBacklog(seg segment, now time.Duration, hits uint64) bool {
	if len(p.stages) < 2 {
		return false
	}
	i := p.stageAt(now)
	if i == p.settled {
		return false
	}
	p.settled = i
	start := p.stageStart(i)
	if start <= seg.sched || float64(hits-seg.hits) >= p.segHits(seg, start) {
		return false
	}
	p.segments = append(p.segments, segment{wall: seg.wall + start - seg.sched, sched: start, hits: hits, override: -1})
	return true
}

// waitLocked releases the lock until ch closes, d passes (d >= 0) or the
// run ends.
func (p *livePacer) waitLocked(ch chan struct{}, d time.Duration) {
	p.mu.Unlock()
	defer p.mu.Lock()
	var timeout <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ch:
	case <-timeout:
	case <-p.ctx.Done():
	}
}

// Rate implements vegeta.Pacer.
func (p *livePacer) Rate(time.Duration) float64 {
	r, paused := p.Current()
	if paused {
		return 0
	}
	return r
}

// schedAt maps wall time at to the schedule clock (lock held).
func (p *livePacer) schedAt(at time.Duration) time.Duration {
	for i := len(p.segments) - 1; i >= 0; i-- {
		s := p.segments[i]
		if at < s.wall && i > 0 {
			continue
		}
		if s.paused {
			return s.sched
		}
		return s.sched + max(0, at-s.wall)
	}
	return at
}

// SetRate changes the rate from the next tick on, until the end of the
// current stage, and returns it.
func (p *livePacer) SetRate(rate float64, at time.Duration) float64 {
	if rate < 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		rate = 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	at = max(at, p.lastElap)
	sched := p.schedAt(at)
	until := p.ends[p.stageAt(sched)]
	last := p.segments[len(p.segments)-1]
	p.segments = append(p.segments, segment{wall: at, sched: sched, hits: p.lastHits, override: rate, until: until, paused: last.paused})
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
	at = max(at, p.lastElap)
	last := p.segments[len(p.segments)-1]
	next := segment{wall: at, sched: p.schedAt(at), hits: p.lastHits, override: last.override, until: last.until, paused: paused}
	if next.override >= 0 && next.sched >= next.until {
		next.override = -1
	}
	p.segments = append(p.segments, next)
	p.paused = paused
	if paused {
		p.pauses = append(p.pauses, Pause{At: at})
		return
	}
	if n := len(p.pauses); n > 0 {
		p.pauses[n-1].Length = at - p.pauses[n-1].At
	}
	close(p.resumed)
	p.resumed = make(chan struct{})
}

// Intended returns when hit number seq was scheduled, relative to the
// attack start; ok is false for unscheduled (max-rate) hits.
func (p *livePacer) Intended(seq uint64) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.segments) - 1; i >= 0; i-- {
		s := p.segments[i]
		if seq < s.hits || s.paused {
			continue
		}
		if p.unpaced && s.override <= 0 {
			return 0, false
		}
		due, ok := p.dueIn(s, float64(seq-s.hits+1))
		if !ok {
			return 0, false
		}
		return s.wall + due - s.sched, true
	}
	return 0, false
}

// Current returns the rate in force and whether the pacer is paused.
func (p *livePacer) Current() (float64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rateAtLocked(p.lastElap), p.paused
}

// rateAtLocked is the requested rate at wall time at.
func (p *livePacer) rateAtLocked(at time.Duration) float64 {
	seg := p.segments[0]
	for _, s := range p.segments {
		if s.wall <= at {
			seg = s
		}
	}
	if seg.paused {
		return 0
	}
	t := seg.sched + at - seg.wall
	if seg.override >= 0 && t < seg.until {
		return seg.override
	}
	if p.unpaced {
		return 0
	}
	i := p.stageAt(t)
	return p.stages[i].Shape.RateAt(t-p.stageStart(i), p.stages[i].Duration)
}

// StageAt returns the index of the stage running at wall time at.
func (p *livePacer) StageAt(at time.Duration) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stageAt(p.schedAt(at))
}

// Changes returns the recorded rate changes.
func (p *livePacer) Changes() []RateChange {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]RateChange(nil), p.changes...)
}

// Pauses returns the recorded pauses; one still open lasts until end.
func (p *livePacer) Pauses(end time.Duration) []Pause {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := append([]Pause(nil), p.pauses...)
	if n := len(out); n > 0 && p.paused {
		out[n-1].Length = max(0, end-out[n-1].At)
	}
	return out
}
