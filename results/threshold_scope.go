package results

import (
	"math"
	"strconv"
	"strings"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// scope is the set of statistics a threshold is measured on: the whole
// run (less its warmup stages) or one stage.
type scope struct {
	outcomes    OutcomeCounts
	lat, latC   LatencyMs
	hist        HistPair // nil histograms when read back from summary.json alone
	raceLogouts RaceLogouts
	shortfall   float64
	requests    StageRequests
	dropped     uint64
	families    FamilyCounts
	reSignedIn  uint64
}

// CheckStage measures t on one stage's numbers, whatever stage t names.
func (t Threshold) CheckStage(st *StageSummary) (value float64, pass bool) {
	v := t.metric.scopedValue(stageScope(st))
	if isBad(v) {
		return 0, false
	}
	return v, t.op.holds(v, t.limit)
}

// scopeOf returns the statistics of stage name, or of the run ("").
func scopeOf(s *Summary, name string) (scope, bool) {
	if name == "" && s.Measured == nil {
		sc := scope{outcomes: s.Outcomes, lat: s.Latency, latC: s.LatencyCorrected, raceLogouts: s.RaceLogouts, shortfall: s.Shortfall,
			requests: StageRequests{Total: s.Requests.Total, Rate: s.Requests.Rate, Load: s.Requests.Load, ByKind: s.Requests.ByKind},
			dropped:  s.Requests.Dropped, families: s.Families, reSignedIn: s.ReSignedIn}
		if s.Histograms != nil {
			sc.hist = s.Histograms.Load
		}
		return sc, true
	}
	st := s.Measured
	if name != "" {
		if st = s.stageByName(name); st == nil {
			return scope{}, false
		}
	}
	return stageScope(st), true
}

func stageScope(st *StageSummary) scope {
	sc := scope{outcomes: st.counts, lat: st.Latency, latC: st.LatencyCorrected, hist: st.hist, raceLogouts: st.RaceLogouts, shortfall: st.Shortfall,
		requests: st.Requests, dropped: st.Dropped, families: st.Families, reSignedIn: st.ReSignedIn}
	if sc.outcomes.Sum() == 0 {
		for k, n := range st.Outcomes {
			if o, ok := oracle.ParseOutcome(k); ok {
				sc.outcomes[o] = n
			}
		}
	}
	return sc
}

func (m metric) scopedValue(sc scope) float64 {
	switch m.kind {
	case mLatency:
		l, h := sc.lat, sc.hist.Raw
		if m.corrected {
			l, h = sc.latC, sc.hist.Corrected
		}
		if m.quantile >= 0 {
			return l.field(m.quantile)
		}
		if h == nil {
			for i, q := range latencyPercentiles {
				if q == m.pct {
					return l.field(i)
				}
			}
			return math.NaN()
		}
		if h.TotalCount() == 0 {
			return 0
		}
		return ms(durationNs(h.ValueAtQuantile(m.pct)))
	case mOutcomes:
		return float64(m.count(&sc.outcomes))
	case mOutcomeRate:
		total := sc.outcomes.Sum()
		if total == 0 {
			return 0
		}
		return float64(m.count(&sc.outcomes)) / float64(total)
	case mRaceLogouts:
		return float64(sc.raceLogouts.Count)
	case mRaceLogoutsPer1000:
		return sc.raceLogouts.Per1000
	case mShortfall:
		return sc.shortfall
	case mRequestsTotal:
		return float64(sc.requests.Total)
	case mRequestsRate:
		return sc.requests.Rate
	case mRequestsLoad:
		return float64(sc.requests.Load)
	case mRequestsDropped:
		return float64(sc.dropped)
	case mRequestsAccepted:
		// Successful re-sign-ins are recorded as accepted too; they are
		// not refreshes the target accepted.
		n := m.count(&sc.outcomes)
		return float64(n - min(n, sc.reSignedIn))
	case mFamily:
		return float64(sc.families[m.family])
	}
	return math.NaN()
}

// latencyPercentiles are the percentiles latencyFields stand for.
var latencyPercentiles = []float64{50, 90, 99, 99.9, 100}

// parsePercentile reads p50, p90, p99, p999 (99.9), max, or any pNN[.NN]
// such as p95 or p99.99. It returns the index into latencyFields for the
// stored ones, or -1 and the percentile.
func parsePercentile(s string) (int, float64, bool) {
	if s == "max" {
		return 4, 100, true
	}
	if s == "p999" {
		return 3, 99.9, true
	}
	num, ok := strings.CutPrefix(s, "p")
	if !ok || num == "" || strings.ContainsAny(num, "+-eE") {
		return 0, 0, false
	}
	pct, err := strconv.ParseFloat(num, 64)
	if err != nil || pct <= 0 || pct > 100 {
		return 0, 0, false
	}
	for i, q := range latencyPercentiles[:4] {
		if q == pct {
			return i, pct, true
		}
	}
	return -1, pct, true
}
