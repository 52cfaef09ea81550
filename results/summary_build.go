package results

import (
	"maps"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// Summary builds the end-of-run summary. Thresholds are not evaluated yet
// (see Evaluate). It closes the last, partial second of the timeline and
// writes its latency.hlog intervals, so call it once, after the last Record.
func (r *Recorder) Summary(meta RunMeta) *Summary {
	elapsed := meta.Elapsed
	if elapsed <= 0 {
		elapsed = r.lastEnd.Sub(r.start)
		if elapsed < 0 {
			elapsed = 0
		}
	}
	r.flushPartial(elapsed)
	r.publishLatency()
	return r.build(meta, elapsed)
}

// Peek builds a summary of the run so far without closing its open
// second, for checks while the run goes on (abort thresholds).
func (r *Recorder) Peek(meta RunMeta) *Summary {
	return r.build(meta, max(meta.Elapsed, 0))
}

func (r *Recorder) build(meta RunMeta, elapsed time.Duration) *Summary {

	s := &Summary{
		Schema:      SchemaSummary,
		Config:      maps.Clone(meta.Config),
		ScenarioID:  meta.ScenarioID,
		StartedAt:   r.start.UTC(),
		ElapsedS:    elapsed.Seconds(),
		Interrupted: meta.Interrupted,
		Requests: Requests{
			Total:   r.total,
			Dropped: r.dropped,
			ByKind:  r.kinds,
		},
		Outcomes:    r.outcomes,
		Families:    meta.Families,
		RaceLogouts: RaceLogouts{Count: meta.RaceLogouts},
		ReSignedIn:  meta.ReSignedIn,
		Chaos:       Chaos{Injected: maps.Clone(r.chaosInjected), Produced: map[string]map[string]uint64{}},
		RateChanges: append([]RateChange{}, meta.RateChanges...),
		Thresholds:  []ThresholdResult{},
		Timeline:    append([]TimelinePoint(nil), r.win.timeline...),
		Files:       r.dirFiles(),
		Bootstrap:   meta.Bootstrap,
		Histograms:  r.cloneHistograms(),
	}
	if s.Config == nil {
		s.Config = map[string]any{}
	}
	for k, c := range r.chaosProduced {
		s.Chaos.Produced[k] = producedMap(c)
	}
	if meta.ConcurrentSpread.Count > 0 {
		cs := latencyMs(meta.ConcurrentSpread)
		s.ConcurrentSpread = &cs
	}
	r.buildStages(s, meta)
	s.Aborted = meta.Aborted
	s.ConfigProblem = meta.ConfigProblem
	for i := range s.Timeline {
		if i < len(meta.RequestedPerSecond) {
			s.Timeline[i].Requested = meta.RequestedPerSecond[i]
		}
	}
	fillRaceLogouts(s.Timeline, r.raceBySec)
	s.recompute()
	return s
}

func producedMap(c *OutcomeCounts) map[string]uint64 {
	m := map[string]uint64{}
	for o, n := range c {
		if n > 0 {
			m[oracle.Outcome(o).String()] = n
		}
	}
	return m
}

func (r *Recorder) cloneHistograms() *Histograms {
	h := &Histograms{Load: r.hist.Load.clone()}
	for k, p := range r.hist.ByKind {
		h.ByKind[k] = p.clone()
	}
	for o, p := range r.hist.ByOutcome {
		h.ByOutcome[o] = p.clone()
	}
	return h
}

// recompute derives every number that follows from the counters, the
// elapsed time and the histograms: rates, per-1,000 figures and latency
// percentiles. Merge calls it after adding shards.
func (s *Summary) recompute() {
	if s.Chaos.Injected == nil {
		s.Chaos.Injected = map[string]uint64{}
	}
	if s.Chaos.Produced == nil {
		s.Chaos.Produced = map[string]map[string]uint64{}
	}
	s.Requests.Load = s.Requests.ByKind[KindRefresh] + s.Requests.ByKind[KindDuplicate] + s.Requests.ByKind[KindReplay]
	s.Requests.Rate = 0
	if s.ElapsedS > 0 {
		s.Requests.Rate = float64(s.Requests.Total) / s.ElapsedS
	}
	s.RaceLogouts.Per1000 = 0
	if n := s.Requests.ByKind[KindRefresh]; n > 0 {
		s.RaceLogouts.Per1000 = float64(s.RaceLogouts.Count) * 1000 / float64(n)
	}
	s.LatencyByKind = map[string]LatencyMs{}
	s.LatencyByOutcome = map[string]LatencyMs{}
	h := s.Histograms
	if h == nil {
		return
	}
	s.Latency = latencyMs(quantilesOf(h.Load.Raw))
	s.LatencyCorrected = latencyMs(quantilesOf(h.Load.Corrected))
	for k, p := range h.ByKind {
		if !p.empty() {
			s.LatencyByKind[Kind(k).String()] = latencyMs(quantilesOf(p.Raw))
		}
	}
	for o, p := range h.ByOutcome {
		if !p.empty() {
			s.LatencyByOutcome[oracle.Outcome(o).String()] = latencyMs(quantilesOf(p.Raw))
		}
	}
}

func (r *Recorder) dirFiles() *Files {
	if r.dir == nil {
		return nil
	}
	return r.dir.files()
}
