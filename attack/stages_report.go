package attack

import "time"

// StageReport is what the pacer asked of one stage.
type StageReport struct {
	Stage     Stage
	Start     time.Duration // wall time since the run started
	Ran       time.Duration // schedule time the stage ran (its length unless the run ended early)
	Requested float64       // hits asked for, live changes included
}

// spans calls fn with the wall span over which each running segment's
// schedule clock ran, up to wall time end. A segment's clock stops where
// the next one starts, or at the end of the plan: an open plan that
// idles between stages runs no schedule while it waits.
func (p *livePacer) spans(end time.Duration, fn func(s segment, wallFrom, wallTo time.Duration)) {
	for i, s := range p.segments {
		to := end
		schedEnd := p.total
		if i+1 < len(p.segments) {
			to = min(end, p.segments[i+1].wall)
			schedEnd = p.segments[i+1].sched
		}
		if (p.total > 0 || i+1 < len(p.segments)) && s.sched+to-s.wall > schedEnd {
			to = s.wall + max(0, schedEnd-s.sched)
		}
		if s.paused || to <= s.wall {
			continue
		}
		fn(s, s.wall, to)
	}
}

// requestedBetween is the hits segment s asks for over schedule [a, b].
func (p *livePacer) requestedBetween(s segment, a, b time.Duration) float64 {
	a = max(a, s.sched)
	if b <= a {
		return 0
	}
	return p.segHits(s, b) - p.segHits(s, a)
}

// Stages reports every stage the run reached by wall time end.
func (p *livePacer) Stages(end time.Duration) []StageReport {
	p.mu.Lock()
	defer p.mu.Unlock()
	reached := p.schedAt(end)
	out := make([]StageReport, 0, len(p.stages))
	for i, st := range p.stages {
		from, to := p.stageStart(i), p.ends[i]
		if p.total == 0 {
			to = reached
		}
		if i > 0 && reached < from {
			break
		}
		r := StageReport{Stage: st, Ran: max(0, min(to, reached)-from), Start: -1}
		p.spans(end, func(s segment, wallFrom, wallTo time.Duration) {
			sFrom, sTo := s.sched, s.sched+wallTo-wallFrom
			if r.Start < 0 && sFrom <= from && from < sTo {
				r.Start = wallFrom + from - sFrom
			}
			if !p.unpaced || s.override > 0 {
				r.Requested += p.requestedBetween(s, max(from, sFrom), min(to, sTo))
			}
		})
		r.Start = max(r.Start, 0)
		out = append(out, r)
	}
	return out
}

// RequestedPerSecond is the requested rate of every wall second up to end;
// nil for a run without a schedule (as fast as possible).
func (p *livePacer) RequestedPerSecond(end time.Duration) []float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unpaced && len(p.changes) == 0 {
		return nil
	}
	n := int((end + time.Second - 1) / time.Second)
	out := make([]float64, n)
	p.spans(end, func(s segment, wallFrom, wallTo time.Duration) {
		if p.unpaced && s.override <= 0 {
			return
		}
		for sec := int(wallFrom / time.Second); sec < n && time.Duration(sec)*time.Second < wallTo; sec++ {
			a := max(wallFrom, time.Duration(sec)*time.Second)
			b := min(wallTo, time.Duration(sec+1)*time.Second)
			out[sec] += p.requestedBetween(s, s.sched+a-wallFrom, s.sched+b-wallFrom)
		}
	})
	if last := end - time.Duration(n-1)*time.Second; n > 0 && last > 0 && last < time.Second {
		out[n-1] /= last.Seconds()
	}
	return out
}

// StageInfo returns the stage running at wall time at, its index and how
// many stages the plan has so far.
func (p *livePacer) StageInfo(at time.Duration) (st Stage, i, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i = p.stageAt(p.schedAt(at))
	if i < len(p.stages) {
		st = p.stages[i]
	}
	return st, i, len(p.stages)
}
