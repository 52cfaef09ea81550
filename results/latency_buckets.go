package results

import "time"

// promBoundsNs are the upper bounds of the Prometheus latency buckets.
var promBoundsNs = [...]int64{
	int64(500 * time.Microsecond), int64(time.Millisecond), int64(2500 * time.Microsecond),
	int64(5 * time.Millisecond), int64(10 * time.Millisecond), int64(25 * time.Millisecond),
	int64(50 * time.Millisecond), int64(100 * time.Millisecond), int64(250 * time.Millisecond),
	int64(500 * time.Millisecond), int64(time.Second), int64(2500 * time.Millisecond),
	int64(5 * time.Second), int64(10 * time.Second), int64(30 * time.Second), int64(60 * time.Second),
}

// LatencyBuckets is a cumulative histogram of load-request latency with
// fixed bounds, for Prometheus.
type LatencyBuckets struct {
	Bounds     []float64 // upper bounds in seconds
	Cumulative []uint64  // requests with latency <= Bounds[i]
	Count      uint64
	Sum        float64 // seconds
}

func (r *Recorder) recordProm(lat time.Duration) {
	v := int64(lat)
	r.promSumNs += v
	for i, b := range promBoundsNs {
		if v <= b {
			r.prom[i]++
			return
		}
	}
	r.promOver++
}

// publishLatency makes the current buckets visible to LatencyBuckets.
func (r *Recorder) publishLatency() {
	b := &LatencyBuckets{
		Bounds:     make([]float64, len(promBoundsNs)),
		Cumulative: make([]uint64, len(promBoundsNs)),
		Sum:        time.Duration(r.promSumNs).Seconds(),
	}
	var cum uint64
	for i, n := range r.prom {
		cum += n
		b.Bounds[i] = time.Duration(promBoundsNs[i]).Seconds()
		b.Cumulative[i] = cum
	}
	b.Count = cum + r.promOver
	r.published.Store(b)
}

// LatencyBuckets returns the load-latency buckets as of the last Snapshot or
// Summary. Safe to call from any goroutine.
func (r *Recorder) LatencyBuckets() LatencyBuckets {
	if b := r.published.Load(); b != nil {
		return *b
	}
	return LatencyBuckets{}
}
