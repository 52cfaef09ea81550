package results

import (
	"encoding/json"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// SchemaSummary versions summary.json. v2 split v1's family state
// "zombie" into revocation_missing (never revoked) and zombie (revoked,
// then came back); v1 files are still read (see upgradeV1).
const SchemaSummary = "refreshstorm/summary/v2"

// SchemaSummaryV1 is the previous version, read and upgraded on load.
const SchemaSummaryV1 = "refreshstorm/summary/v1"

// Verdicts.
const (
	VerdictPass = "pass"
	VerdictFail = "fail"
)

// RateChange is a live rate change made from the dashboard.
type RateChange struct {
	At   time.Duration // since the run started
	Rate float64       // requests/s; 0 = as fast as possible
}

type rateChangeJSON struct {
	AtS  float64 `json:"at_s"`
	Rate float64 `json:"rate"`
}

func (c RateChange) MarshalJSON() ([]byte, error) {
	return json.Marshal(rateChangeJSON{AtS: c.At.Seconds(), Rate: c.Rate})
}

func (c *RateChange) UnmarshalJSON(b []byte) error {
	var j rateChangeJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = RateChange{At: time.Duration(j.AtS * float64(time.Second)), Rate: j.Rate}
	return nil
}

// RunMeta is what the engine knows at the end of a run and the recorder
// does not.
type RunMeta struct {
	Config           map[string]any // echoed run config; never secrets
	ScenarioID       string         // hash of the scenario-defining config
	Elapsed          time.Duration
	Families         [oracle.NumFamilyStates]uint64
	RaceLogouts      uint64
	ReSignedIn       uint64
	Interrupted      bool
	RateChanges      []RateChange
	ConcurrentSpread Quantiles // send-time spread inside concurrent-duplicate bursts
	Stages           []StageMeta
	Pauses           []Pause
	// RequestedPerSecond is the pacer's requested rate of every second;
	// nil when the run was not paced.
	RequestedPerSecond []float64
	Aborted            *Abort
	Bootstrap          *Bootstrap
	// ConfigProblem says why the run was stopped for the harness's own
	// configuration (a family-cap spiral).
	ConfigProblem string
}

// Bootstrap is how the sessions were made ready before the load, and what
// the process held once they were.
type Bootstrap struct {
	// Mode is sign-in (through the target) or import (--cookies).
	Mode      string  `json:"mode"`
	Sessions  int     `json:"sessions"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
	// RSSBytes is the process's resident memory after the bootstrap and a
	// full collection (0 where /proc is not available); HeapBytes the live
	// heap then.
	RSSBytes  uint64 `json:"rss_bytes"`
	HeapBytes uint64 `json:"heap_bytes"`
	// GCPercent is the GOGC the load ran with: bounded after a large
	// bootstrap unless GOGC or GOMEMLIMIT was set (-1: left alone).
	GCPercent int `json:"gc_percent"`
}

// Abort records why a run was ended early by a threshold.
type Abort struct {
	Reason string  `json:"reason"`
	AtS    float64 `json:"at_s"`
}

// Summary is the end-of-run result; its JSON form is summary.json.
type Summary struct {
	Schema      string         `json:"schema"`
	Config      map[string]any `json:"config"`
	ScenarioID  string         `json:"scenario_id"`
	StartedAt   time.Time      `json:"started_at"`
	ElapsedS    float64        `json:"elapsed_s"`
	Interrupted bool           `json:"interrupted"`
	MergedFrom  []string       `json:"merged_from,omitempty"`
	// Partial is set by merge --allow-partial: shards were missing.
	Partial bool `json:"partial,omitempty"`
	// Note says why a run measured nothing (interrupted during sign-in).
	Note string `json:"note,omitempty"`
	// UpgradedFrom names the schema the file was written in when it was
	// read from an older version.
	UpgradedFrom string `json:"upgraded_from,omitempty"`

	Requests    Requests      `json:"requests"`
	Outcomes    OutcomeCounts `json:"outcomes"`
	Families    FamilyCounts  `json:"families"`
	RaceLogouts RaceLogouts   `json:"race_logouts"`
	ReSignedIn  uint64        `json:"re_signed_in"`

	// Latency of load requests (refresh, duplicate, replay).
	Latency          LatencyMs `json:"latency_ms"`
	LatencyCorrected LatencyMs `json:"latency_corrected_ms"`
	// Raw latency per request kind and per outcome (non-empty ones only).
	LatencyByKind    map[string]LatencyMs `json:"latency_by_kind_ms"`
	LatencyByOutcome map[string]LatencyMs `json:"latency_by_outcome_ms"`
	ConcurrentSpread *LatencyMs           `json:"concurrent_spread_ms,omitempty"`

	// Stages are the run's load plan and what each stage achieved;
	// Shortfall is the worst non-warmup stage's shortfall.
	Stages    []StageSummary `json:"stages,omitempty"`
	Shortfall float64        `json:"shortfall"`
	Pauses    []Pause        `json:"pauses,omitempty"`
	// Measured holds the statistics the verdict is taken on when some
	// stages are warmup (which it leaves out).
	Measured *StageSummary `json:"measured,omitempty"`
	Aborted  *Abort        `json:"aborted,omitempty"`
	// ConfigProblem: the run was stopped because the harness's own
	// configuration made its results meaningless (a family-cap spiral).
	ConfigProblem string `json:"config_problem,omitempty"`

	Chaos       Chaos             `json:"chaos"`
	RateChanges []RateChange      `json:"rate_changes"`
	Thresholds  []ThresholdResult `json:"thresholds"`
	Baseline    *BaselineResult   `json:"baseline,omitempty"` // run --baseline
	Verdict     string            `json:"verdict"`
	// Files says which streamed files the directory holds and how
	// events.csv was sampled.
	Files *Files `json:"files,omitempty"`
	// Bootstrap is how the sessions were made ready (absent from merges).
	Bootstrap *Bootstrap `json:"bootstrap,omitempty"`

	// Timeline is the per-second series (timeline.csv).
	Timeline []TimelinePoint `json:"-"`
	// Histograms are the raw HDR histograms (histograms.json), kept so that
	// merge is exact.
	Histograms *Histograms `json:"-"`
}

// Requests counts classified requests.
type Requests struct {
	Total   uint64     `json:"total"` // every kind
	Rate    float64    `json:"rate"`  // total / elapsed_s
	Load    uint64     `json:"load"`  // refresh + duplicate + replay
	Dropped uint64     `json:"dropped"`
	ByKind  KindCounts `json:"by_kind"`
}

// RaceLogouts are logouts after benign races.
type RaceLogouts struct {
	Count uint64 `json:"count"`
	// Per1000 is per 1,000 load refreshes (requests of kind refresh).
	Per1000 float64 `json:"per_1000"`
}

// LatencyMs are percentiles in float milliseconds.
type LatencyMs struct {
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
	Count int64   `json:"count"`
}

func latencyMs(q Quantiles) LatencyMs {
	return LatencyMs{P50: ms(q.P50), P90: ms(q.P90), P99: ms(q.P99), P999: ms(q.P999), Max: ms(q.Max), Count: q.Count}
}

// Chaos lists injected chaos events and the outcomes they produced.
type Chaos struct {
	Injected map[string]uint64            `json:"injected"`
	Produced map[string]map[string]uint64 `json:"produced"` // chaos kind -> outcome -> count
}

// ThresholdResult is one evaluated threshold.
type ThresholdResult struct {
	Expr  string  `json:"expr"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
	Pass  bool    `json:"pass"`
}

// Failures sums every fail_* outcome.
func (s *Summary) Failures() uint64 { return s.Outcomes.Failures() }

// Elapsed returns the run's length.
func (s *Summary) Elapsed() time.Duration {
	return time.Duration(s.ElapsedS * float64(time.Second))
}

// FailedThresholds lists the thresholds that did not pass.
func (s *Summary) FailedThresholds() []ThresholdResult {
	var out []ThresholdResult
	for _, t := range s.Thresholds {
		if !t.Pass {
			out = append(out, t)
		}
	}
	return out
}
