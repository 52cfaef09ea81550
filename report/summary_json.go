package report

import (
	"encoding/json"
	"io"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// SchemaReport versions `report --format json`: the summary as in
// summary.json, plus figures derived from it. Fields are only added within
// a version.
const SchemaReport = "refreshstorm/report/v1"

// Document is `report --format json`.
type Document struct {
	Schema  string           `json:"schema"`
	Summary *results.Summary `json:"summary"`
	Derived Derived          `json:"derived"`
}

// Derived are the figures a reviewer wants that summary.json leaves to
// arithmetic: rates with 95 % intervals and the throughput shortfall.
type Derived struct {
	Confidence       float64                `json:"confidence"`
	Failures         uint64                 `json:"failures"`
	FailedThresholds []string               `json:"failed_thresholds"`
	OutcomeRates     map[string]RateFigure  `json:"outcome_rates"` // non-zero outcomes, of all classified requests
	RaceLogouts      RateFigure             `json:"race_logouts_per_1000"`
	Latency          map[string]QuantileFig `json:"latency_ms"`
	LatencyCorrected map[string]QuantileFig `json:"latency_corrected_ms"`
	Throughput       float64                `json:"throughput"` // achieved refreshes/s
	RequestedRate    *float64               `json:"requested_rate,omitempty"`
	Shortfall        *float64               `json:"shortfall,omitempty"` // fraction of the requested rate not achieved
}

// RateFigure is a proportion with its Wilson interval.
type RateFigure struct {
	Value float64          `json:"value"`
	CI    results.Interval `json:"ci"`
	Count uint64           `json:"count"`
	Of    uint64           `json:"of"`
}

// QuantileFig is a percentile with its order-statistic interval.
type QuantileFig struct {
	Value float64          `json:"value"`
	CI    results.Interval `json:"ci"`
}

// Derive computes the derived figures of s.
func Derive(s *results.Summary) Derived {
	d := Derived{Confidence: 0.95, Failures: s.Failures(), FailedThresholds: []string{},
		OutcomeRates: map[string]RateFigure{}}
	for _, t := range s.FailedThresholds() {
		d.FailedThresholds = append(d.FailedThresholds, t.Expr)
	}
	n := s.Requests.Total
	for _, o := range oracle.AllOutcomes() {
		if k := s.Outcomes[o]; k > 0 {
			d.OutcomeRates[o.String()] = rateFigure(k, n, 1)
		}
	}
	d.RaceLogouts = rateFigure(s.RaceLogouts.Count, s.Requests.ByKind[results.KindRefresh], 1000)
	var raw, cor *hdr.Histogram
	if s.Histograms != nil {
		raw, cor = s.Histograms.Load.Raw, s.Histograms.Load.Corrected
	}
	d.Latency, d.LatencyCorrected = quantileFigs(raw), quantileFigs(cor)
	if s.ElapsedS > 0 {
		d.Throughput = float64(s.Requests.ByKind[results.KindRefresh]) / s.ElapsedS
	}
	if req, ok := s.RequestedRate(); ok {
		d.RequestedRate = &req
	}
	if d.RequestedRate != nil || len(s.Stages) > 0 {
		sf := s.Shortfall
		d.Shortfall = &sf
	}
	return d
}

func rateFigure(k, n uint64, scale float64) RateFigure {
	iv := results.Wilson(k, n)
	f := RateFigure{CI: results.Interval{Lo: iv.Lo * scale, Hi: iv.Hi * scale}, Count: k, Of: n}
	if n > 0 {
		f.Value = float64(k) / float64(n) * scale
	}
	return f
}

func quantileFigs(h *hdr.Histogram) map[string]QuantileFig {
	m := map[string]QuantileFig{}
	for _, q := range []struct {
		name string
		q    float64
	}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}} {
		v, iv := results.QuantileInterval(h, q.q)
		m[q.name] = QuantileFig{v, iv}
	}
	return m
}

// WriteJSON writes the versioned JSON document of s.
func WriteJSON(w io.Writer, s *results.Summary) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(Document{Schema: SchemaReport, Summary: s, Derived: Derive(s)})
}
