package results

import (
	"maps"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// StageSummary is one stage's requested and achieved load and what it met.
// The run's measured part (every stage but the warmup ones) is one too.
type StageSummary struct {
	Name          string  `json:"name"`
	Shape         string  `json:"shape"`
	Warmup        bool    `json:"warmup,omitempty"`
	StartS        float64 `json:"start_s"`
	DurationS     float64 `json:"duration_s"`
	Requested     float64 `json:"requested"`
	RequestedRate float64 `json:"requested_rate"`
	Achieved      uint64  `json:"achieved"`
	AchievedRate  float64 `json:"achieved_rate"`
	// SteadyRate is the achieved rate after the stage's first second,
	// which an opening burst overstates; 0 for stages under two seconds.
	SteadyRate float64           `json:"steady_rate,omitempty"`
	Steady     uint64            `json:"steady,omitempty"`
	Shortfall  float64           `json:"shortfall"`
	Dropped    uint64            `json:"dropped"`
	Requests   StageRequests     `json:"requests"`
	Outcomes   map[string]uint64 `json:"outcomes"`
	Failures   uint64            `json:"failures"`
	Families   FamilyCounts      `json:"families"`
	// Chaos counts the chaos events injected in the stage, by kind (from
	// the stage's own mix, or the run's).
	Chaos            map[string]uint64 `json:"chaos,omitempty"`
	RaceLogouts      RaceLogouts       `json:"race_logouts"`
	ReSignedIn       uint64            `json:"re_signed_in"`
	Latency          LatencyMs         `json:"latency_ms"`
	LatencyCorrected LatencyMs         `json:"latency_corrected_ms"`

	counts OutcomeCounts
	hist   HistPair
}

// StageRequests counts a stage's classified requests, as Requests does
// the run's.
type StageRequests struct {
	Total  uint64     `json:"total"`
	Rate   float64    `json:"rate"`
	Load   uint64     `json:"load"`
	ByKind KindCounts `json:"by_kind"`
}

// shortfallOf is the part of the requested hits that were not sent.
func shortfallOf(requested float64, achieved uint64) float64 {
	if requested < 1 {
		return 0
	}
	// One hit of slack: the requested count is the integral of the rate,
	// which runs up to one hit ahead of the pacer's discrete ticks, and
	// judged mid-run one hit may still be in flight. Negligible at load
	// rates, it keeps a 0.5/s run from showing a 50 % shortfall.
	return max(0, 1-float64(achieved+1)/requested)
}

func (a *stageAcc) summary(m StageMeta) StageSummary {
	st := StageSummary{
		Name: m.Name, Shape: m.Shape, Warmup: m.Warmup,
		StartS: m.Start.Seconds(), DurationS: m.Ran.Seconds(),
		Requested: m.Requested, Achieved: a.refreshes, Dropped: a.dropped,
		Requests: StageRequests{Total: a.total, ByKind: a.kinds},
		Families: a.families, ReSignedIn: a.reSignedIn, Chaos: maps.Clone(a.chaos),
		counts: a.outcomes, hist: a.hist.clone(),
	}
	if m.Ran >= 2*steadyAfter {
		st.Steady = a.steady
	}
	st.finish(a.raceLogouts)
	return st
}

// finish derives every figure that follows from the stage's counters,
// duration and histograms.
func (st *StageSummary) finish(raceLogouts uint64) {
	st.Outcomes, st.Failures = producedMap(&st.counts), st.counts.Failures()
	k := &st.Requests.ByKind
	st.Requests.Load = k[KindRefresh] + k[KindDuplicate] + k[KindReplay]
	if d := st.DurationS; d > 0 {
		st.RequestedRate = st.Requested / d
		st.AchievedRate = float64(st.Achieved) / d
		st.Requests.Rate = float64(st.Requests.Total) / d
	}
	st.SteadyRate = 0
	if d := st.DurationS - steadyAfter.Seconds(); st.Steady > 0 && d >= steadyAfter.Seconds() {
		st.SteadyRate = float64(st.Steady) / d
	}
	st.Shortfall = shortfallOf(st.Requested, st.Achieved)
	st.RaceLogouts = RaceLogouts{Count: raceLogouts}
	if st.Achieved > 0 {
		st.RaceLogouts.Per1000 = float64(raceLogouts) * 1000 / float64(st.Achieved)
	}
	st.Latency = latencyMs(quantilesOf(st.hist.Raw))
	st.LatencyCorrected = latencyMs(quantilesOf(st.hist.Corrected))
}

// add sums o's counters into st (for the measured part, and for merge);
// call finish after the last add.
func (st *StageSummary) add(o *StageSummary) {
	for i, n := range o.counts {
		st.counts[i] += n
	}
	for i, n := range o.Requests.ByKind {
		st.Requests.ByKind[i] += n
	}
	for i, n := range o.Families {
		st.Families[i] += n
	}
	st.Requests.Total += o.Requests.Total
	st.Requested += o.Requested
	st.Achieved += o.Achieved
	st.Steady += o.Steady
	st.Dropped += o.Dropped
	st.ReSignedIn += o.ReSignedIn
	st.RaceLogouts.Count += o.RaceLogouts.Count
	for k, n := range o.Chaos {
		if st.Chaos == nil {
			st.Chaos = map[string]uint64{}
		}
		st.Chaos[k] += n
	}
	o.hist.mergeInto(&st.hist)
}

// buildStages fills s.Stages, s.Shortfall and, when some stages are
// warmup, s.Measured: the part of the run every statistic the verdict
// reads is taken on.
func (r *Recorder) buildStages(s *Summary, meta RunMeta) {
	if len(meta.Stages) == 0 {
		return
	}
	s.Pauses = append([]Pause{}, meta.Pauses...)
	for i, m := range meta.Stages {
		st := r.stage(i).summary(m)
		s.Stages = append(s.Stages, st)
		if s.Histograms != nil {
			s.Histograms.Stages = append(s.Histograms.Stages, st.hist)
		}
	}
	s.measure()
}

// measure derives s.Shortfall and s.Measured from s.Stages.
func (s *Summary) measure() {
	s.Measured = nil
	s.Shortfall = 0
	measured := StageSummary{Name: "measured", hist: newHistPair()}
	warm := false
	for i := range s.Stages {
		st := &s.Stages[i]
		if st.Warmup {
			warm = true
			continue
		}
		s.Shortfall = max(s.Shortfall, st.Shortfall)
		measured.add(st)
		measured.DurationS += st.DurationS
	}
	if warm {
		measured.Steady = 0 // a steady rate is a stage's own
		measured.finish(measured.RaceLogouts.Count)
		s.Measured = &measured
	}
}

// stageByName finds a stage of s.
func (s *Summary) stageByName(name string) *StageSummary {
	for i := range s.Stages {
		if s.Stages[i].Name == name {
			return &s.Stages[i]
		}
	}
	return nil
}

// restoreStages gives the stages of a summary read back from its files
// their outcome counts and histograms again, and re-derives the measured
// part, so that thresholds and merge read them as at the end of the run.
func (s *Summary) restoreStages() {
	for i := range s.Stages {
		st := &s.Stages[i]
		st.counts = OutcomeCounts{}
		for k, n := range st.Outcomes {
			if o, ok := oracle.ParseOutcome(k); ok {
				st.counts[o] = n
			}
		}
		if s.Histograms != nil && i < len(s.Histograms.Stages) {
			st.hist = s.Histograms.Stages[i]
		}
	}
	if len(s.Stages) > 0 {
		s.measure()
	}
}
