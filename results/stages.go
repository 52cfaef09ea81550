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

// steadyAfter is how long into a stage its steady rate starts counting.
// A stage that raises the rate starts with a burst: every session idle at
// its start is sent at once, and a server with spare credit answers them
// faster than it can keep up. The first second is that burst.
const steadyAfter = time.Second

// stageAcc accumulates the observations sent during one stage.
type stageAcc struct {
	outcomes    OutcomeCounts
	kinds       KindCounts
	total       uint64
	refreshes   uint64
	dropped     uint64
	raceLogouts uint64
	reSignedIn  uint64
	families    FamilyCounts
	chaos       map[string]uint64 // injected chaos events by kind
	hist        HistPair          // load requests

	firstSent time.Time // the stage's first refresh
	steady    uint64    // refreshes sent steadyAfter or more after firstSent
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
	a.kinds[kind]++
	a.total++
	if kind == KindRefresh {
		a.refreshes++
		if a.firstSent.IsZero() || o.Start.Before(a.firstSent) {
			a.firstSent = o.Start
		}
		if o.Start.Sub(a.firstSent) >= steadyAfter {
			a.steady++
		}
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

// StageRaceLogout counts a race logout in stage i at time at.
func (r *Recorder) StageRaceLogout(i int, at time.Time) {
	r.stage(i).raceLogouts++
	r.raceLogoutAt(at)
}

// StageReSignIn counts a re-sign-in in stage i.
func (r *Recorder) StageReSignIn(i int) { r.stage(i).reSignedIn++ }

// StageFamily counts a family that reached its end state in stage i (or
// was still in that state when the run ended in stage i).
func (r *Recorder) StageFamily(i int, state oracle.FamilyState) { r.stage(i).families[state]++ }

// StageChaos counts a chaos event of the given kind injected in stage i.
func (r *Recorder) StageChaos(i int, kind string) {
	a := r.stage(i)
	if a.chaos == nil {
		a.chaos = map[string]uint64{}
	}
	a.chaos[kind]++
}
