package results

import (
	"fmt"
	"math"
	"strings"

	"github.com/refreshstorm/refreshstorm/oracle"
)

type unit uint8

const (
	unitCount unit = iota
	unitMs
	unitFraction
	unitPer1000
	unitPerSecond
)

var unitNames = [...]string{unitCount: "count", unitMs: "ms", unitFraction: "fraction", unitPer1000: "per_1000", unitPerSecond: "req/s"}

type metricKind uint8

const (
	mLatency metricKind = iota
	mOutcomes
	mOutcomeRate
	mRaceLogouts
	mRaceLogoutsPer1000
	mRequestsTotal
	mRequestsRate
	mRequestsLoad
	mRequestsDropped
	mRequestsAccepted
	mFamily
	mShortfall
)

// metric is what a threshold measures.
type metric struct {
	kind      metricKind
	unit      unit
	quantile  int     // mLatency: index into latencyFields, -1 = percentile
	pct       float64 // mLatency with quantile -1: the percentile (0-100)
	corrected bool    // mLatency
	stage     string  // scoped to one stage; "" = the run
	set       uint32  // mOutcomes, mOutcomeRate: bit per outcome
	family    oracle.FamilyState
}

var latencyFields = []string{"p50", "p90", "p99", "p999", "max"}

func (l LatencyMs) field(i int) float64 {
	return [...]float64{l.P50, l.P90, l.P99, l.P999, l.Max}[i]
}

// Outcome sets by alias.
var (
	failureSet = func() uint32 {
		var m uint32
		for _, o := range oracle.AllOutcomes() {
			if o.IsFailure() {
				m |= 1 << o
			}
		}
		return m
	}()
	undecidedSet = uint32(1)<<oracle.TransportError | uint32(1)<<oracle.Timeout
	acceptedSet  = func() uint32 {
		var m uint32
		for _, o := range oracle.AllOutcomes() {
			if o.Category() == oracle.Accepted {
				m |= 1 << o
			}
		}
		return m
	}()
)

func (p *thresholdParser) resolveMetric(name string, pos int) (metric, error) {
	if rest, ok := strings.CutPrefix(name, "stage."); ok {
		stage, inner, ok := strings.Cut(rest, ".")
		if !ok || stage == "" {
			return metric{}, p.errorf(pos, "want stage.NAME.METRIC, e.g. stage.steady.latency.p99")
		}
		m, err := p.resolveMetric(inner, pos+len("stage.")+len(stage)+1)
		if err != nil {
			return m, err
		}
		m.stage = stage
		return m, nil
	}
	switch name {
	case "rate.shortfall", "shortfall":
		return metric{kind: mShortfall, unit: unitFraction}, nil
	case "race_logouts":
		return metric{kind: mRaceLogouts}, nil
	case "race_logouts.per_1000":
		return metric{kind: mRaceLogoutsPer1000, unit: unitPer1000}, nil
	case "requests.total":
		return metric{kind: mRequestsTotal}, nil
	case "requests.rate":
		return metric{kind: mRequestsRate, unit: unitPerSecond}, nil
	case "requests.load":
		return metric{kind: mRequestsLoad}, nil
	case "requests.dropped":
		return metric{kind: mRequestsDropped}, nil
	case "requests.accepted":
		return metric{kind: mRequestsAccepted, set: acceptedSet}, nil
	}
	prefix, rest, dotted := strings.Cut(name, ".")
	if dotted {
		restPos := pos + len(prefix) + 1
		switch prefix {
		case "latency", "latency_corrected":
			m := metric{kind: mLatency, unit: unitMs, corrected: prefix == "latency_corrected"}
			var ok bool
			if m.quantile, m.pct, ok = parsePercentile(rest); !ok {
				return metric{}, p.errorf(restPos, "unknown latency percentile %q (want pNN like p95, p99.99, p999 or max)", rest)
			}
			return m, nil
		case "rate":
			set, err := p.outcomeSet(rest, restPos)
			return metric{kind: mOutcomeRate, unit: unitFraction, set: set}, err
		case "families":
			s, ok := oracle.ParseFamilyState(rest)
			if !ok {
				return metric{}, p.errorf(restPos, "unknown family state %q", rest)
			}
			return metric{kind: mFamily, family: s}, nil
		case "requests", "race_logouts":
			return metric{}, p.errorf(restPos, "unknown %s metric %q", prefix, rest)
		}
		return metric{}, p.errorf(pos, "unknown metric %q (want latency.*, latency_corrected.*, rate.*, requests.*, race_logouts, families.* or an outcome name)", name)
	}
	set, err := p.outcomeSet(name, pos)
	return metric{kind: mOutcomes, set: set}, err
}

// outcomeSet reads outcome names (or the aliases failures, undecided)
// joined by '+'.
func (p *thresholdParser) outcomeSet(s string, pos int) (uint32, error) {
	var set uint32
	for part := range strings.SplitSeq(s, "+") {
		switch part {
		case "failures":
			set |= failureSet
		case "undecided":
			set |= undecidedSet
		case "accepted":
			set |= acceptedSet
		default:
			o, ok := oracle.ParseOutcome(part)
			if !ok {
				if part == "" {
					return 0, p.errorf(pos, "empty outcome name")
				}
				return 0, p.errorf(pos, "unknown outcome %q", part)
			}
			set |= 1 << o
		}
		pos += len(part) + 1
	}
	return set, nil
}

func (m metric) count(outcomes *OutcomeCounts) uint64 {
	var n uint64
	for o, c := range outcomes {
		if m.set&(1<<o) != 0 {
			n += c
		}
	}
	return n
}

// value measures the metric on s: on its measured part (the run less
// its warmup stages), or on the stage the metric names.
func (m metric) value(s *Summary) float64 {
	sc, ok := scopeOf(s, m.stage)
	if !ok {
		return math.NaN()
	}
	return m.scopedValue(sc)
}

func isBad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

// DefaultThresholds are the invariants every run is held to: every fail_*
// outcome is 0, and undecided requests (transport_error + timeout) stay
// under 1 % of all classified requests.
func DefaultThresholds() []Threshold {
	var out []Threshold
	for _, o := range oracle.AllOutcomes() {
		if o.IsFailure() {
			out = append(out, MustParseThreshold(o.String()+"==0"))
		}
	}
	// A run in which no refresh was accepted tested nothing.
	return append(out, MustParseThreshold("rate.undecided<0.01"), MustParseThreshold("requests.accepted>0"), MustParseThreshold("rate.shortfall<0.05"))
}

// Check measures t on s and reports whether it holds.
func (t Threshold) Check(s *Summary) (value float64, pass bool) {
	v := t.metric.value(s)
	if isBad(v) {
		return 0, false
	}
	return v, t.op.holds(v, t.limit)
}

// Unit names what the threshold's value is measured in.
func (t Threshold) Unit() string { return unitNames[t.metric.unit] }

// invariantOutcome reports the outcome o when t is exactly the invariant
// `o==0` for a fail_* outcome.
func (t Threshold) invariantOutcome() (oracle.Outcome, bool) {
	m := t.metric
	if m.kind != mOutcomes || t.op != opEQ || t.limit != 0 || m.set&(m.set-1) != 0 || m.set&failureSet == 0 {
		return 0, false
	}
	for _, o := range oracle.AllOutcomes() {
		if m.set == 1<<o {
			return o, true
		}
	}
	return 0, false
}

// Evaluate checks every threshold against s, filling s.Thresholds and
// s.Verdict: fail if any threshold fails, the run was aborted or stopped
// for a configuration problem, else pass.
func Evaluate(s *Summary, ths []Threshold) {
	s.Thresholds = make([]ThresholdResult, 0, len(ths))
	s.Verdict = VerdictPass
	for _, t := range ths {
		v, ok := t.Check(s)
		s.Thresholds = append(s.Thresholds, ThresholdResult{Expr: t.Expr, Value: v, Unit: t.Unit(), Pass: ok})
		if !ok {
			s.Verdict = VerdictFail
		}
	}
	if s.Aborted != nil || s.ConfigProblem != "" {
		s.Verdict = VerdictFail
	}
}

// StoredThresholds re-parses the threshold expressions kept in s.
func StoredThresholds(s *Summary) ([]Threshold, error) {
	out := make([]Threshold, 0, len(s.Thresholds))
	for _, r := range s.Thresholds {
		t, err := ParseThreshold(r.Expr)
		if err != nil {
			return nil, fmt.Errorf("stored %w", err)
		}
		out = append(out, t)
	}
	return out, nil
}
