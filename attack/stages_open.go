package attack

import (
	"time"

	"github.com/refreshstorm/refreshstorm/results"
)

// An open plan grows while it runs: when its last stage ends the pacer
// idles (its schedule clock stands, like a pause) until the engine's
// NextStage appends a stage or closes the plan. `refreshstorm capacity`
// steers its steps this way, in one run over one warm client.

// openPlan makes the plan growable; call before the attack.
func (p *livePacer) openPlan() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open, p.idleAt = true, -1
	p.grown = make(chan struct{})
}

// Idle reports the stage an open plan has finished and is idling after,
// and since when (wall time since the start).
func (p *livePacer) Idle() (stage int, since time.Duration, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.open || p.closed || p.idleAt < 0 {
		return 0, 0, false
	}
	return len(p.stages) - 1, p.idleAt, true
}

// Append adds a stage to an open plan at wall time at.
func (p *livePacer) Append(st Stage, at time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.open || p.closed {
		return
	}
	old := p.total
	p.stages = append(p.stages, st)
	p.total += st.Duration
	p.ends = append(p.ends, p.total)
	if p.idleAt >= 0 {
		// The schedule resumes where the plan ended.
		at = max(at, p.lastElap)
		p.segments = append(p.segments, segment{wall: at, sched: old, hits: p.lastHits, override: -1})
		p.idleAt = -1
	}
	close(p.grown)
	p.grown = make(chan struct{})
}

// Close ends an open plan: the attack stops.
func (p *livePacer) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.open || p.closed {
		return
	}
	p.closed = true
	close(p.grown)
}

// steerSettle is how long after a step the collector waits for its
// in-flight requests before judging it (up to steerSettleMax).
const (
	steerSettle    = 300 * time.Millisecond
	steerSettleMax = 3 * time.Second
)

// steer asks NextStage for the stage after the one an open plan finished,
// once that stage's requests have settled.
func (c *collector) steer(now time.Time) {
	next := c.e.cfg.NextStage
	if next == nil {
		return
	}
	i, since, ok := c.e.pacer.Idle()
	if !ok || i < c.steered {
		return
	}
	at := now.Sub(c.e.start)
	waited := at - since
	inFlight := c.e.pool.Len() - c.e.pool.Idle() - int(c.lostSlots)
	if waited < steerSettle || (inFlight > 0 && waited < steerSettleMax) {
		return
	}
	metas := StageMetas(c.e.pacer.Stages(at))
	if i >= len(metas) {
		return
	}
	c.steered = i + 1
	st := c.rec.PeekStage(i, metas[i])
	if s, more := next(i, st); more {
		c.e.pacer.Append(s, at)
	} else {
		c.e.pacer.Close()
	}
}

// StageMetas converts stage reports for the summary.
func StageMetas(in []StageReport) []results.StageMeta {
	out := make([]results.StageMeta, len(in))
	for i, r := range in {
		out[i] = results.StageMeta{Name: r.Stage.Name, Shape: r.Stage.Shape.String(), Warmup: r.Stage.Warmup,
			Start: r.Start, Ran: r.Ran, Requested: r.Requested}
	}
	return out
}
