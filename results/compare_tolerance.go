package results

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// Tolerance is how large a change must be before it counts: beyond both the
// relative and the absolute bound (either may be zero).
type Tolerance struct {
	Rel float64 // fraction of the baseline, 0.1 = 10 %
	Abs float64 // in the metric's unit (ms, per 1,000, fraction, /s)
}

func (t Tolerance) String() string {
	var parts []string
	if t.Rel > 0 {
		parts = append(parts, strconv.FormatFloat(t.Rel*100, 'f', -1, 64)+"%")
	}
	if t.Abs > 0 || len(parts) == 0 {
		parts = append(parts, strconv.FormatFloat(t.Abs, 'f', -1, 64))
	}
	return strings.Join(parts, "+")
}

// exceeded reports whether a change of delta from base is beyond t.
func (t Tolerance) exceeded(base, delta float64) bool {
	if delta < 0 {
		delta = -delta
	}
	if base < 0 {
		base = -base
	}
	return delta > t.Abs && delta > t.Rel*base
}

// Tolerances maps a metric name (as in the comparison's rows) to its
// tolerance.
type Tolerances map[string]Tolerance

var latencyTolerances = map[string]Tolerance{
	"p50":  {Rel: 0.20, Abs: 1},
	"p90":  {Rel: 0.20, Abs: 1},
	"p99":  {Rel: 0.25, Abs: 5},
	"p999": {Rel: 0.50, Abs: 10},
}

// Corrected latency also holds the load generator's own stalls (a busy CI
// machine), so its defaults only catch large moves.
var correctedTolerances = map[string]Tolerance{
	"p50":  {Rel: 0.50, Abs: 5},
	"p90":  {Rel: 0.50, Abs: 10},
	"p99":  {Rel: 1, Abs: 50},
	"p999": {Rel: 1, Abs: 100},
}

// DefaultTolerances are the documented defaults (docs/compare.md): latency
// changes must exceed a relative and an absolute bound, so that a 0.3 → 0.5
// ms move on a loopback target is not a regression; race logouts 0.5 per
// 1,000; any increase of a fail_* rate; 0.1 percentage points of
// undecided, throttled or conflicting requests; 5 % of throughput.
func DefaultTolerances() Tolerances {
	t := Tolerances{
		"race_logouts.per_1000": {Abs: 0.5},
		"throughput":            {Rel: 0.05},
	}
	for p, tol := range latencyTolerances {
		t["latency."+p] = tol
		t["latency_corrected."+p] = correctedTolerances[p]
	}
	for _, o := range oracle.AllOutcomes() {
		if watchedOutcome(o) {
			tol := Tolerance{Abs: 0.001}
			if o.IsFailure() {
				tol = Tolerance{}
			}
			t["rate."+o.String()] = tol
		}
	}
	return t
}

// watchedOutcome: outcomes whose increase is a regression. Other outcomes
// move with the chaos mix and are reported without judgement.
func watchedOutcome(o oracle.Outcome) bool {
	return o.IsFailure() || o == oracle.TransportError || o == oracle.Timeout ||
		o == oracle.RateLimited || o == oracle.RetryableConflict
}

// ParseTolerance parses one `--tolerance METRIC=VALUE`. VALUE is a
// percentage of the baseline (`10%`), an absolute amount in the metric's
// unit (`0.5`; latency also takes a duration such as `2ms`), or both joined
// by `+` (`10%+2ms`), in which case a change must exceed both.
func ParseTolerance(spec string) (string, Tolerance, error) {
	name, value, ok := strings.Cut(spec, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || value == "" {
		return "", Tolerance{}, fmt.Errorf("tolerance %q: want METRIC=VALUE, e.g. latency.p99=10%%", spec)
	}
	if _, known := DefaultTolerances()[name]; !known {
		return "", Tolerance{}, fmt.Errorf("tolerance %q: unknown metric %q (latency.p50|p90|p99|p999, latency_corrected.*, race_logouts.per_1000, throughput, rate.<watched outcome>)", spec, name)
	}
	var t Tolerance
	for _, part := range strings.Split(value, "+") {
		part = strings.TrimSpace(part)
		switch {
		case strings.HasSuffix(part, "%"):
			v, err := strconv.ParseFloat(strings.TrimSuffix(part, "%"), 64)
			if err != nil || v < 0 || v != v {
				return "", Tolerance{}, fmt.Errorf("tolerance %q: %q is not a non-negative percentage", spec, part)
			}
			t.Rel = v / 100
		case strings.HasPrefix(name, "latency") && strings.TrimLeft(part, "0123456789.") != "":
			d, err := time.ParseDuration(part)
			if err != nil || d < 0 {
				return "", Tolerance{}, fmt.Errorf("tolerance %q: %q is not a non-negative duration", spec, part)
			}
			t.Abs = float64(d) / float64(time.Millisecond)
		default:
			v, err := strconv.ParseFloat(part, 64)
			if err != nil || v < 0 || v != v {
				return "", Tolerance{}, fmt.Errorf("tolerance %q: %q is not a non-negative number", spec, part)
			}
			t.Abs = v
		}
	}
	return name, t, nil
}

// ParseTolerances applies specs over the defaults.
func ParseTolerances(specs []string) (Tolerances, error) {
	t := maps.Clone(DefaultTolerances())
	for _, s := range specs {
		name, tol, err := ParseTolerance(s)
		if err != nil {
			return nil, err
		}
		t[name] = tol
	}
	return t, nil
}
