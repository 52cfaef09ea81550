package results

import (
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// Quantiles are latency percentiles of one histogram.
type Quantiles struct {
	P50, P90, P99, P999, Max time.Duration
	Count                    int64
}

// SecondPoint is one per-second window of the run.
type SecondPoint struct {
	Second   int     // seconds since the run started
	Requests uint64  // paced refreshes completed in that second
	Rate     float64 // achieved refreshes/s in that second
	P50, P99 time.Duration
}

// FailureEvent is one recent failure for people to read.
type FailureEvent struct {
	Time    time.Time
	Kind    Kind
	Chaos   string
	Session string
	Family  string
	Status  int
	Outcome oracle.Outcome
	Detail  string
}

// SessionStats describe the virtual session pool.
type SessionStats struct {
	Total, Idle, InFlight int
	ReSignedIn            uint64 // families replaced after a revocation
}

// Snapshot is a consistent copy of the live numbers, safe to read from
// another goroutine (the dashboard, the progress line, metrics).
type Snapshot struct {
	Elapsed       time.Duration
	Duration      time.Duration // planned duration; 0 = until stopped
	RequestedRate float64       // current pacer rate, 0 = max
	Paused        bool
	// Stage is the stage of a --stages plan the run is in ("" without a
	// plan): its name, its 0-based index of Stages, and whether it is
	// warmup.
	Stage       string
	StageIndex  int
	Stages      int
	StageWarmup bool
	// StageChaos is the stage's own chaos mix ("none" turns it off); ""
	// when the stage keeps the run's.
	StageChaos string

	Total    uint64 // classified requests of every kind
	Refresh  uint64 // load refreshes (kind refresh)
	Dropped  uint64 // pacer ticks with no idle session
	Outcomes OutcomeCounts

	LastSecond     Quantiles     // raw latency of the last complete second
	Whole          Quantiles     // raw latency of the whole run (load requests)
	WholeCorrected Quantiles     // corrected latency of the whole run
	Seconds        []SecondPoint // the last 60 seconds, oldest first

	Families    [oracle.NumFamilyStates]uint64
	Sessions    SessionStats
	RaceLogouts uint64

	// ChaosInjected counts injected events per chaos kind; ChaosProduced
	// counts the outcomes they produced, per chaos kind.
	ChaosInjected map[string]uint64
	ChaosProduced map[string]map[oracle.Outcome]uint64

	RecentFailures []FailureEvent // newest last, at most 10

	// Failing names the first threshold the run so far fails, judged once
	// a second by the same code as the final verdict; "" while passing.
	Failing string
}

// Failures sums every fail_* outcome.
func (s *Snapshot) Failures() uint64 { return s.Outcomes.Failures() }
