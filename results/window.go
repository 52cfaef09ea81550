package results

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// window is the open one-second window of the run. Observations are placed
// by completion time; a late one (its second already closed) counts in the
// open second.
type window struct {
	sec       int            // the open second, since the run started
	load      *hdr.Histogram // raw load latency of the open second
	kinds     [NumKinds]*hdr.Histogram
	requests  uint64 // load requests
	total     uint64
	failures  uint64
	undecided uint64
	dirty     bool
	kindDirty [NumKinds]bool

	last     Quantiles // the last complete second
	timeline []TimelinePoint
}

// init allocates the window; perKind adds the per-kind interval histograms
// that go to latency.hlog.
func (w *window) init(perKind bool) {
	w.load = newLatencyHist()
	if perKind {
		for k := range w.kinds {
			w.kinds[k] = newLatencyHist()
		}
	}
	w.timeline = make([]TimelinePoint, 0, 256)
}

func (w *window) record(kind Kind, load bool, out oracle.Outcome, lat time.Duration) {
	w.dirty = true
	w.total++
	if kind == KindRefresh {
		w.requests++ // the achieved rate is the pacer's refreshes, not the chaos extras
	}
	if load {
		recordLatency(w.load, lat)
	}
	if h := w.kinds[kind]; h != nil {
		recordLatency(h, lat)
		w.kindDirty[kind] = true
	}
	if out.IsFailure() {
		w.failures++
	}
	if out == oracle.TransportError || out == oracle.Timeout {
		w.undecided++
	}
}

// advance closes every second before sec.
func (r *Recorder) advance(sec int) {
	for r.win.sec < sec {
		r.closeSecond(time.Second)
	}
}

// closeSecond closes the open second, which lasted length, and opens the
// next one.
func (r *Recorder) closeSecond(length time.Duration) {
	w := &r.win
	q := quantilesOf(w.load)
	rate := 0.0
	if length > 0 {
		rate = float64(w.requests) / length.Seconds()
	}
	w.timeline = append(w.timeline, TimelinePoint{
		Second: w.sec, Requests: w.requests, Rate: rate, Total: w.total,
		Failures: w.failures, Undecided: w.undecided, P50: q.P50, P99: q.P99,
	})
	w.last = q
	if w.dirty {
		start := r.start.Add(time.Duration(w.sec) * time.Second)
		for k, h := range w.kinds {
			if h == nil || !w.kindDirty[k] {
				continue
			}
			if r.dir != nil {
				r.dir.writeInterval(h, Kind(k).String(), start, start.Add(length))
			}
			h.Reset()
			w.kindDirty[k] = false
		}
		if w.requests > 0 {
			w.load.Reset()
		}
	}
	w.requests, w.total, w.failures, w.undecided = 0, 0, 0, 0
	w.dirty = false
	w.sec++
}

// flushPartial closes the open second at the end of a run that lasted
// elapsed, if anything was recorded in it.
func (r *Recorder) flushPartial(elapsed time.Duration) {
	if !r.win.dirty {
		return
	}
	length := elapsed - time.Duration(r.win.sec)*time.Second
	if length <= 0 || length > time.Second {
		length = time.Second
	}
	r.closeSecond(length)
}
