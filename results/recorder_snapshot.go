package results

import (
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// snapshotSeconds is how many per-second points a Snapshot carries.
const snapshotSeconds = 60

// Snapshot returns a copy of the live numbers at now. It fills the fields
// the recorder owns; the engine fills Sessions, Families, RaceLogouts,
// RequestedRate and Paused afterwards. It also publishes LatencyBuckets.
func (r *Recorder) Snapshot(now time.Time) Snapshot {
	if sec := r.secondOf(now); sec > r.win.sec {
		r.advance(sec)
	}
	elapsed := now.Sub(r.start)
	if elapsed < 0 {
		elapsed = 0
	}
	s := Snapshot{
		Elapsed:        elapsed,
		Duration:       r.duration,
		Total:          r.total,
		Refresh:        r.kinds[KindRefresh],
		Dropped:        r.dropped,
		Outcomes:       r.outcomes,
		LastSecond:     r.win.last,
		Whole:          quantilesOf(r.hist.Load.Raw),
		WholeCorrected: quantilesOf(r.hist.Load.Corrected),
		ChaosInjected:  make(map[string]uint64, len(r.chaosInjected)),
		ChaosProduced:  make(map[string]map[oracle.Outcome]uint64, len(r.chaosProduced)),
		RecentFailures: r.recentFailures(),
	}
	tl := r.win.timeline
	if len(tl) > snapshotSeconds {
		tl = tl[len(tl)-snapshotSeconds:]
	}
	s.Seconds = make([]SecondPoint, len(tl))
	for i, p := range tl {
		s.Seconds[i] = p.secondPoint()
	}
	for k, n := range r.chaosInjected {
		s.ChaosInjected[k] = n
	}
	for k, c := range r.chaosProduced {
		m := map[oracle.Outcome]uint64{}
		for o, n := range c {
			if n > 0 {
				m[oracle.Outcome(o)] = n
			}
		}
		s.ChaosProduced[k] = m
	}
	r.publishLatency()
	return s
}
