package attack

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ChaosKind names one kind of chaos event.
type ChaosKind uint8

const (
	chaosNone ChaosKind = iota
	ChaosLostResponse
	ChaosConcurrent
	ChaosReplay
	ChaosCSRF
	ChaosStaleCookie
	// Network chaos: faults of one request's own connection.
	ChaosNetLatency
	ChaosNetReset
	ChaosNetStall
	// ChaosPartition is a window of the run, not a fraction of events.
	ChaosPartition

	numChaosKinds
)

var chaosNames = [numChaosKinds]string{"", "lost-response", "concurrent", "replay", "csrf", "stale-cookie",
	"net-latency", "net-reset", "net-stall", "partition"}

// isNet reports whether k is applied by a fault connection.
func (k ChaosKind) isNet() bool {
	return k == ChaosNetLatency || k == ChaosNetReset || k == ChaosNetStall
}

// Faulted reports whether c sends some refreshes over fault connections
// of their own (the net-* kinds).
func (c ChaosSpec) Faulted() bool {
	for _, it := range c.Items {
		if it.Kind.isNet() && it.Fraction > 0 {
			return true
		}
	}
	return false
}

func (k ChaosKind) String() string { return chaosNames[k] }

// ChaosItem is one `kind=fraction[:param]` entry of --chaos.
type ChaosItem struct {
	Kind     ChaosKind
	Fraction float64
	// N is the number of concurrent duplicates (concurrent).
	N int
	// Delay is the replay delay d (replay), the retry delay
	// (lost-response), the hold (net-latency, net-stall) or the length of
	// the window (partition).
	Delay time.Duration
	// Jitter spreads net-latency's hold uniformly over Delay±Jitter.
	Jitter time.Duration
	// At is when the partition window starts, from the start of the run.
	At time.Duration
}

// ChaosSpec is the parsed --chaos value.
type ChaosSpec struct{ Items []ChaosItem }

// String renders the spec in the --chaos grammar.
func (c ChaosSpec) String() string {
	parts := make([]string, 0, len(c.Items))
	for _, it := range c.Items {
		if it.Kind == ChaosPartition {
			parts = append(parts, it.Kind.String()+"="+it.Delay.String()+"@"+it.At.String())
			continue
		}
		s := it.Kind.String() + "=" + strconv.FormatFloat(it.Fraction, 'g', -1, 64)
		switch it.Kind {
		case ChaosConcurrent:
			s += ":" + strconv.Itoa(it.N)
		case ChaosReplay, ChaosLostResponse, ChaosNetStall:
			s += ":" + it.Delay.String()
		case ChaosNetLatency:
			s += ":" + it.Delay.String()
			if it.Jitter > 0 {
				s += "±" + it.Jitter.String()
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

// Default chaos parameters.
const (
	defaultConcurrentN = 2
	defaultReplayDelay = 2 * time.Second
	defaultRetryDelay  = 100 * time.Millisecond
	defaultNetLatency  = 200 * time.Millisecond
	defaultNetStall    = 2 * time.Second
	maxConcurrentN     = 64
)

// ParseChaos reads `kind=fraction[:param],…`, e.g.
// `lost-response=0.02,concurrent=0.02:3,replay=0.01:2s,csrf=0.01,stale-cookie=0.005`,
// with the network kinds `net-latency=0.05:200ms±50ms`, `net-reset=0.02`,
// `net-stall=0.01:3s` and the window `partition=10s@30s` (LEN@START).
func ParseChaos(spec string) (ChaosSpec, error) {
	c, err := parseChaos(spec)
	if err != nil && len(err.Error()) > maxErrText {
		// a huge spec is not echoed whole
		err = errors.New(err.Error()[:maxErrText] + "…")
	}
	return c, err
}

const maxErrText = 200

func parseChaos(spec string) (ChaosSpec, error) {
	var c ChaosSpec
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return c, nil
	}
	seen := map[ChaosKind]bool{}
	total := 0.0
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		name, rest, ok := strings.Cut(part, "=")
		if !ok {
			return c, fmt.Errorf("chaos %q: want kind=fraction[:param]", part)
		}
		kind := chaosNone
		for k := ChaosLostResponse; k < numChaosKinds; k++ {
			if chaosNames[k] == name {
				kind = k
			}
		}
		if kind == chaosNone {
			return c, fmt.Errorf("chaos %q: unknown kind %q (want lost-response, concurrent, replay, csrf, stale-cookie, net-latency, net-reset, net-stall or partition)", part, name)
		}
		if seen[kind] {
			return c, fmt.Errorf("chaos %q: %s given twice", part, name)
		}
		seen[kind] = true
		if kind == ChaosPartition {
			it, err := parseWindow(part, rest)
			if err != nil {
				return c, err
			}
			c.Items = append(c.Items, it)
			continue
		}
		fracText, param, hasParam := strings.Cut(rest, ":")
		frac, err := strconv.ParseFloat(fracText, 64)
		if err != nil || frac < 0 || frac > 1 {
			return c, fmt.Errorf("chaos %q: fraction %q must be a number from 0 to 1", part, fracText)
		}
		it := ChaosItem{Kind: kind, Fraction: frac}
		switch kind {
		case ChaosConcurrent:
			it.N = defaultConcurrentN
			if hasParam {
				n, err := strconv.Atoi(param)
				if err != nil || n < 2 || n > maxConcurrentN {
					return c, fmt.Errorf("chaos %q: concurrent N %q must be an integer from 2 to %d", part, param, maxConcurrentN)
				}
				it.N = n
			}
		case ChaosReplay, ChaosLostResponse:
			it.Delay = defaultReplayDelay
			if kind == ChaosLostResponse {
				it.Delay = defaultRetryDelay
			}
			if hasParam {
				d, err := time.ParseDuration(param)
				if err != nil || d < 0 || d > 10*time.Minute {
					return c, fmt.Errorf("chaos %q: delay %q must be a duration from 0 to 10m, like 2s", part, param)
				}
				it.Delay = d
			}
		case ChaosNetLatency:
			it.Delay = defaultNetLatency
			if hasParam {
				d, j, err := parseHold(param)
				if err != nil {
					return c, fmt.Errorf("chaos %q: latency %q must be d or d±j, durations with j at most d, like 200ms±50ms", part, param)
				}
				it.Delay, it.Jitter = d, j
			}
		case ChaosNetStall:
			it.Delay = defaultNetStall
			if hasParam {
				d, err := time.ParseDuration(param)
				if err != nil || d <= 0 || d > 10*time.Minute {
					return c, fmt.Errorf("chaos %q: stall %q must be a duration from 0 to 10m, like 3s", part, param)
				}
				it.Delay = d
			}
		default:
			if hasParam {
				return c, fmt.Errorf("chaos %q: %s takes no parameter", part, name)
			}
		}
		total += frac
		c.Items = append(c.Items, it)
	}
	if total > 1+1e-9 {
		return c, fmt.Errorf("chaos %q: fractions add up to %g, more than 1", spec, total)
	}
	return c, nil
}

// parseHold reads net-latency's `d` or `d±j` (also written `d+-j`).
func parseHold(param string) (d, j time.Duration, err error) {
	dText, jText, hasJitter := strings.Cut(strings.Replace(param, "+-", "±", 1), "±")
	if d, err = time.ParseDuration(dText); err != nil || d < 0 || d > 10*time.Minute {
		return 0, 0, errors.New("bad latency")
	}
	if hasJitter {
		if j, err = time.ParseDuration(jText); err != nil || j < 0 || j > d {
			return 0, 0, errors.New("bad jitter")
		}
	}
	return d, j, nil
}

// parseWindow reads partition's `LEN@START`.
func parseWindow(part, rest string) (ChaosItem, error) {
	lenText, atText, ok := strings.Cut(rest, "@")
	length, err1 := time.ParseDuration(lenText)
	at, err2 := time.ParseDuration(atText)
	if !ok || err1 != nil || err2 != nil || length <= 0 || at < 0 || length > 24*time.Hour || at > 24*time.Hour {
		return ChaosItem{}, fmt.Errorf("chaos %q: want partition=LEN@START, durations like 10s@30s (all traffic fails for LEN from START)", part)
	}
	return ChaosItem{Kind: ChaosPartition, Delay: length, At: at}, nil
}

// item returns the spec's entry for kind.
func (c ChaosSpec) item(kind ChaosKind) ChaosItem {
	for _, it := range c.Items {
		if it.Kind == kind {
			return it
		}
	}
	return ChaosItem{Kind: kind}
}

// chooser decides, reproducibly from a seed, which refresh events carry
// chaos: event k's choice depends only on (seed, k).
type chooser struct {
	seed   uint64
	bounds []float64 // cumulative fractions
	kinds  []ChaosKind
}

func newChooser(c ChaosSpec, seed int64) *chooser {
	ch := &chooser{seed: uint64(seed)}
	acc := 0.0
	for _, it := range c.Items {
		if it.Fraction <= 0 {
			continue
		}
		acc += it.Fraction
		ch.bounds = append(ch.bounds, acc)
		ch.kinds = append(ch.kinds, it.Kind)
	}
	return ch
}

// pick returns the chaos kind of event k.
func (ch *chooser) pick(k uint64) ChaosKind {
	if len(ch.kinds) == 0 {
		return chaosNone
	}
	u := float64(splitmix64(ch.seed^(k*0x9e3779b97f4a7c15))>>11) / (1 << 53)
	for i, b := range ch.bounds {
		if u < b {
			return ch.kinds[i]
		}
	}
	return chaosNone
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
