package results

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// MetricsOption configures the Prometheus exporter.
type MetricsOption func(*collector)

// WithLatency adds refreshstorm_latency_seconds, read from latency (e.g. a
// Recorder's LatencyBuckets method, which is safe to call from any
// goroutine).
func WithLatency(latency func() LatencyBuckets) MetricsOption {
	return func(c *collector) { c.latency = latency }
}

// collector exports the latest Snapshot as Prometheus metrics.
type collector struct {
	snap    func() Snapshot
	latency func() LatencyBuckets

	requests, latencyDesc, families, chaos, produced, dropped, raceLogouts, requestedRate *prometheus.Desc
}

func newCollector(snap func() Snapshot, opts ...MetricsOption) *collector {
	c := &collector{
		snap:          snap,
		requests:      prometheus.NewDesc("refreshstorm_requests_total", "Classified requests by outcome.", []string{"outcome"}, nil),
		latencyDesc:   prometheus.NewDesc("refreshstorm_latency_seconds", "Latency of load requests (refresh, duplicate, replay).", nil, nil),
		families:      prometheus.NewDesc("refreshstorm_families", "Token families by state.", []string{"state"}, nil),
		chaos:         prometheus.NewDesc("refreshstorm_chaos_events_total", "Injected chaos events by kind.", []string{"kind"}, nil),
		produced:      prometheus.NewDesc("refreshstorm_chaos_outcomes_total", "Outcomes of requests tagged with a chaos kind.", []string{"kind", "outcome"}, nil),
		dropped:       prometheus.NewDesc("refreshstorm_dropped_ticks_total", "Pacer ticks that found no idle session.", nil, nil),
		raceLogouts:   prometheus.NewDesc("refreshstorm_race_logouts_total", "Benign races that ended in a logout.", nil, nil),
		requestedRate: prometheus.NewDesc("refreshstorm_requested_rate", "Current pacer rate in requests/s (0 = as fast as possible).", nil, nil),
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.requests, c.families, c.chaos, c.produced, c.dropped, c.raceLogouts, c.requestedRate} {
		ch <- d
	}
	if c.latency != nil {
		ch <- c.latencyDesc
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.snap()
	for _, o := range oracle.AllOutcomes() {
		ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(s.Outcomes[o]), o.String())
	}
	for st, n := range s.Families {
		ch <- prometheus.MustNewConstMetric(c.families, prometheus.GaugeValue, float64(n), oracle.FamilyState(st).String())
	}
	for k, n := range s.ChaosInjected {
		ch <- prometheus.MustNewConstMetric(c.chaos, prometheus.CounterValue, float64(n), k)
	}
	for k, m := range s.ChaosProduced {
		for o, n := range m {
			ch <- prometheus.MustNewConstMetric(c.produced, prometheus.CounterValue, float64(n), k, o.String())
		}
	}
	ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(s.Dropped))
	ch <- prometheus.MustNewConstMetric(c.raceLogouts, prometheus.CounterValue, float64(s.RaceLogouts))
	ch <- prometheus.MustNewConstMetric(c.requestedRate, prometheus.GaugeValue, s.RequestedRate)
	if c.latency != nil {
		b := c.latency()
		buckets := make(map[float64]uint64, len(b.Bounds))
		for i, le := range b.Bounds {
			buckets[le] = b.Cumulative[i]
		}
		ch <- prometheus.MustNewConstHistogram(c.latencyDesc, b.Count, b.Sum, buckets)
	}
}

// MetricsHandler serves the metrics of the latest Snapshot in the
// Prometheus text format.
func MetricsHandler(snap func() Snapshot, opts ...MetricsOption) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newCollector(snap, opts...))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// ServeMetrics serves /metrics on addr until stop is called. snap must
// return the latest Snapshot and be safe to call from the HTTP goroutines.
// Pass WithLatency(recorder.LatencyBuckets) for refreshstorm_latency_seconds.
func ServeMetrics(addr string, snap func() Snapshot, opts ...MetricsOption) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", MetricsHandler(snap, opts...))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns http.ErrServerClosed after stop
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
