package results

import (
	"encoding/json"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// StageMeta is what the pacer knows of one stage at the end of a run.
type StageMeta struct {
	Name      string
	Shape     string
	Warmup    bool
	Start     time.Duration // wall time since the run started
	Ran       time.Duration // how long the stage ran, pauses excluded
	Requested float64       // hits the pacer asked for
}

// Pause is one pause of the load.
type Pause struct {
	At, Length time.Duration // since the run started
}

func (p Pause) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AtS     float64 `json:"at_s"`
		LengthS float64 `json:"length_s"`
	}{p.At.Seconds(), p.Length.Seconds()})
}

// stageAcc accumulates the observations sent during one stage.
type stageAcc struct {
	outcomes    OutcomeCounts
	refreshes   uint64
	dropped     uint64
	raceLogouts uint64
	hist        HistPair // load requests
}

func (r *Recorder) stage(i int) *stageAcc {
	if i < 0 {
		i = 0
	}
	for len(r.stages) <= i {
		r.stages = append(r.stages, &stageAcc{hist: newHistPair()})
	}
	return r.stages[i]
}

func (r *Recorder) recordStage(o *Observation, kind Kind, out oracle.Outcome, lat, corrected time.Duration) {
	a := r.stage(o.Stage)
	a.outcomes[out]++
	if kind == KindRefresh {
		a.refreshes++
	}
	if isLoad(kind) {
		recordLatency(a.hist.Raw, lat)
		recordLatency(a.hist.Corrected, corrected)
	}
}

// PeekStage returns stage i's numbers so far (for a run that steers its
// plan by them); m is what the pacer knows of it.
func (r *Recorder) PeekStage(i int, m StageMeta) StageSummary { return r.stage(i).summary(m) }

// StageDropped counts a dropped tick of stage i (on top of RecordDropped).
func (r *Recorder) StageDropped(i int) { r.stage(i).dropped++ }

// StageRaceLogout counts a race logout in stage i.
func (r *Recorder) StageRaceLogout(i int) { r.stage(i).raceLogouts++ }

// StageSummary is one stage's requested and achieved load and what it met.
type StageSummary struct {
	Name             string            `json:"name"`
	Shape            string            `json:"shape"`
	Warmup           bool              `json:"warmup,omitempty"`
	StartS           float64           `json:"start_s"`
	DurationS        float64           `json:"duration_s"`
	Requested        float64           `json:"requested"`
	RequestedRate    float64           `json:"requested_rate"`
	Achieved         uint64            `json:"achieved"`
	AchievedRate     float64           `json:"achieved_rate"`
	Shortfall        float64           `json:"shortfall"`
	Dropped          uint64            `json:"dropped"`
	Outcomes         map[string]uint64 `json:"outcomes"`
	Failures         uint64            `json:"failures"`
	RaceLogouts      RaceLogouts       `json:"race_logouts"`
	Latency          LatencyMs         `json:"latency_ms"`
	LatencyCorrected LatencyMs         `json:"latency_corrected_ms"`

	counts OutcomeCounts
	hist   HistPair
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
		Outcomes: producedMap(&a.outcomes), Failures: a.outcomes.Failures(),
		counts: a.outcomes, hist: a.hist.clone(),
	}
	st.finish(a.raceLogouts)
	return st
}

func (st *StageSummary) finish(raceLogouts uint64) {
	if d := st.DurationS; d > 0 {
		st.RequestedRate = st.Requested / d
		st.AchievedRate = float64(st.Achieved) / d
	}
	st.Shortfall = shortfallOf(st.Requested, st.Achieved)
	st.RaceLogouts = RaceLogouts{Count: raceLogouts}
	if st.Achieved > 0 {
		st.RaceLogouts.Per1000 = float64(raceLogouts) * 1000 / float64(st.Achieved)
	}
	st.Latency = latencyMs(quantilesOf(st.hist.Raw))
	st.LatencyCorrected = latencyMs(quantilesOf(st.hist.Corrected))
}

// buildStages fills s.Stages, s.Shortfall and, when some stages are
// warmup, s.Measured.
func (r *Recorder) buildStages(s *Summary, meta RunMeta) {
	if len(meta.Stages) == 0 {
		return
	}
	s.Pauses = append([]Pause{}, meta.Pauses...)
	measured := StageSummary{Name: "measured", hist: newHistPair()}
	var raceLogouts uint64
	warm := false
	for i, m := range meta.Stages {
		st := r.stage(i).summary(m)
		s.Stages = append(s.Stages, st)
		if m.Warmup {
			warm = true
			continue
		}
		s.Shortfall = max(s.Shortfall, st.Shortfall)
		for o, n := range st.counts {
			measured.counts[o] += n
		}
		measured.Requested += st.Requested
		measured.Achieved += st.Achieved
		measured.Dropped += st.Dropped
		measured.DurationS += st.DurationS
		raceLogouts += st.RaceLogouts.Count
		st.hist.mergeInto(&measured.hist)
	}
	if warm {
		measured.Outcomes, measured.Failures = producedMap(&measured.counts), measured.counts.Failures()
		measured.finish(raceLogouts)
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
