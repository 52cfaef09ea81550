package results

import (
	"sync/atomic"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	Start    time.Time
	Duration time.Duration // planned duration, for Snapshot
	Dir      *Dir          // nil: no streamed files
}

// maxRecentFailures is how many recent failures a Snapshot carries.
const maxRecentFailures = 10

// Recorder aggregates classified observations. It is owned by one goroutine
// (the engine's collector): Record, Snapshot and Summary must not be called
// concurrently. Snapshots it returns are copies, safe to hand to others.
// Only LatencyBuckets may be called from any goroutine.
type Recorder struct {
	start    time.Time
	duration time.Duration
	dir      *Dir
	scrubbed map[string]string // raw detail -> scrubbed, see scrubDetail

	outcomes OutcomeCounts
	kinds    KindCounts
	total    uint64
	dropped  uint64
	lastEnd  time.Time

	hist Histograms // per-outcome pairs are allocated on first use

	prom      [len(promBoundsNs)]uint64 // load requests per Prometheus bucket (not cumulative)
	promOver  uint64                    // load requests above the last bound
	promSumNs int64
	published atomic.Pointer[LatencyBuckets]

	win    window
	stages []*stageAcc // by stage index, grown on first use
	// raceBySec counts race logouts per second of the run.
	raceBySec []uint64

	chaosInjected map[string]uint64
	chaosProduced map[string]*OutcomeCounts

	recent    [maxRecentFailures]FailureEvent // ring
	recentPos int                             // next slot
	recentLen int
}

// NewRecorder returns a recorder for a run starting at opts.Start. With a
// Dir it streams events.csv and latency.hlog into it.
func NewRecorder(opts RecorderOptions) *Recorder {
	r := &Recorder{
		start:         opts.Start,
		duration:      opts.Duration,
		dir:           opts.Dir,
		chaosInjected: map[string]uint64{},
		chaosProduced: map[string]*OutcomeCounts{},
	}
	if r.start.IsZero() {
		r.start = time.Now()
	}
	r.hist.Load = newHistPair()
	for k := range r.hist.ByKind {
		r.hist.ByKind[k] = newHistPair()
	}
	r.win.init(r.dir != nil)
	if r.dir != nil {
		r.dir.begin(r.start)
	}
	r.publishLatency()
	return r
}

// isLoad reports whether requests of kind k are load requests: their latency
// goes into the load histograms.
func isLoad(k Kind) bool { return k == KindRefresh || k == KindDuplicate || k == KindReplay }

// Record counts one classified request. It does not allocate in steady state.
// An out-of-range outcome counts as indeterminate, an out-of-range kind as a
// probe.
func (r *Recorder) Record(o *Observation) {
	if o.Detail != "" {
		clean := *o
		clean.Detail = r.scrubDetail(o.Detail)
		o = &clean
	}
	out := o.Outcome
	if out >= oracle.NumOutcomes {
		out = oracle.Indeterminate
	}
	kind := o.Kind
	if kind >= NumKinds {
		kind = KindProbe
	}
	lat := o.Latency
	if lat < 0 {
		lat = 0
	}
	corrected := o.Corrected
	if corrected < lat {
		corrected = lat
	}

	end := o.Start.Add(lat)
	if end.After(r.lastEnd) {
		r.lastEnd = end
	}
	if sec := r.secondOf(end); sec > r.win.sec {
		r.advance(sec)
	}

	r.total++
	r.outcomes[out]++
	r.kinds[kind]++

	recordLatency(r.hist.ByKind[kind].Raw, lat)
	recordLatency(r.hist.ByKind[kind].Corrected, corrected)
	op := &r.hist.ByOutcome[out]
	if op.Raw == nil {
		*op = newHistPair()
	}
	recordLatency(op.Raw, lat)
	recordLatency(op.Corrected, corrected)

	load := isLoad(kind)
	if load {
		recordLatency(r.hist.Load.Raw, lat)
		recordLatency(r.hist.Load.Corrected, corrected)
		r.recordProm(lat)
	}
	r.win.record(kind, load, out, lat)
	r.recordStage(o, kind, out, lat, corrected)

	if out.IsFailure() {
		r.pushRecent(o, kind, out)
	}
	if o.Chaos != "" {
		c := r.chaosProduced[o.Chaos]
		if c == nil {
			c = new(OutcomeCounts)
			r.chaosProduced[o.Chaos] = c
		}
		c[out]++
	}
	if r.dir != nil {
		r.dir.writeEvent(o, kind, out, corrected)
	}
}

// RecordVegeta appends a redacted copy of res to results.bin: no body, no
// cookie, CSRF or authorization values. A no-op without a Dir or when the
// directory writes no results.bin.
func (r *Recorder) RecordVegeta(res *vegeta.Result) {
	if r.dir == nil || r.dir.bin == nil || res == nil {
		return
	}
	red := redactResult(res)
	r.dir.writeResult(&red)
}

// RecordDropped counts a pacer tick that found no idle session.
func (r *Recorder) RecordDropped() { r.dropped++ }

// ChaosInjected counts one injected chaos event of the given kind.
func (r *Recorder) ChaosInjected(kind string) { r.chaosInjected[kind]++ }

func (r *Recorder) secondOf(t time.Time) int {
	d := t.Sub(r.start)
	if d < 0 {
		return 0
	}
	return int(d / time.Second)
}

func (r *Recorder) pushRecent(o *Observation, kind Kind, out oracle.Outcome) {
	r.recent[r.recentPos] = FailureEvent{
		Time: o.Start, Kind: kind, Chaos: o.Chaos, Session: o.Session, Family: o.Family,
		Status: o.Status, Outcome: out, Detail: o.Detail,
	}
	r.recentPos = (r.recentPos + 1) % maxRecentFailures
	if r.recentLen < maxRecentFailures {
		r.recentLen++
	}
}

// recentFailures copies the ring, newest last.
func (r *Recorder) recentFailures() []FailureEvent {
	out := make([]FailureEvent, 0, r.recentLen)
	first := (r.recentPos - r.recentLen + maxRecentFailures) % maxRecentFailures
	for i := 0; i < r.recentLen; i++ {
		out = append(out, r.recent[(first+i)%maxRecentFailures])
	}
	return out
}
