package results

import (
	"fmt"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// SchemaCompare versions the comparison's JSON form.
const SchemaCompare = "refreshstorm/compare/v1"

// Comparison verdicts.
const (
	CompareRegression    = "regression"
	CompareImprovement   = "improvement"
	CompareNoChange      = "no_significant_change"
	CompareNotComparable = "not_comparable"
)

// Change directions of one metric.
const (
	ChangeNone   = "none"    // not significant, or within tolerance
	ChangeWorse  = "worse"   // a regression
	ChangeBetter = "better"  // an improvement beyond tolerance
	ChangeInfo   = "changed" // significant and beyond tolerance, but not judged
)

// RunRef names one side of a comparison.
type RunRef struct {
	Dir        string   `json:"dir"`
	ScenarioID string   `json:"scenario_id"`
	Schema     string   `json:"schema"`
	StartedAt  string   `json:"started_at"`
	Verdict    string   `json:"verdict"`
	MergedFrom []string `json:"merged_from,omitempty"`
}

// CompareRow is one compared figure.
type CompareRow struct {
	Metric      string    `json:"metric"`
	Unit        string    `json:"unit"`
	Base        float64   `json:"base"`
	Cur         float64   `json:"cur"`
	BaseCI      *Interval `json:"base_ci,omitempty"`
	CurCI       *Interval `json:"cur_ci,omitempty"`
	Delta       float64   `json:"delta"`
	DeltaRel    *float64  `json:"delta_rel,omitempty"` // nil when the baseline is 0
	PValue      *float64  `json:"p_value,omitempty"`   // for the tests that have one
	Significant bool      `json:"significant"`
	Tolerance   string    `json:"tolerance,omitempty"` // empty: reported, never judged
	Beyond      bool      `json:"beyond_tolerance"`
	Change      string    `json:"change"`
	higherWorse bool
}

// Comparison is `refreshstorm compare`'s result.
type Comparison struct {
	Schema      string       `json:"schema"`
	Verdict     string       `json:"verdict"`
	Comparable  bool         `json:"comparable"`
	Forced      bool         `json:"forced"`
	Problems    []string     `json:"problems,omitempty"` // why the runs are not comparable
	Confidence  float64      `json:"confidence"`
	Base        RunRef       `json:"base"`
	Cur         RunRef       `json:"cur"`
	Regressions []string     `json:"regressions"`
	Rows        []CompareRow `json:"rows"`
}

// CompareOptions tune Compare.
type CompareOptions struct {
	Tolerances Tolerances // nil: DefaultTolerances
	Force      bool       // compare even when the runs are not comparable
}

// Compare compares cur against base. A metric regresses only when its
// change is statistically significant and beyond its tolerance. Runs of
// different schemas or scenarios are not comparable unless opts.Force.
func Compare(baseDir string, base *Summary, curDir string, cur *Summary, opts CompareOptions) *Comparison {
	tol := opts.Tolerances
	if tol == nil {
		tol = DefaultTolerances()
	}
	c := &Comparison{
		Schema: SchemaCompare, Confidence: 0.95, Forced: opts.Force,
		Base: runRef(baseDir, base), Cur: runRef(curDir, cur), Regressions: []string{}, Rows: []CompareRow{},
	}
	if base.Schema != cur.Schema {
		c.Problems = append(c.Problems, fmt.Sprintf("schema %q vs %q", base.Schema, cur.Schema))
	}
	if base.ScenarioID != cur.ScenarioID {
		c.Problems = append(c.Problems, fmt.Sprintf("scenario %q vs %q", base.ScenarioID, cur.ScenarioID))
	}
	c.Comparable = len(c.Problems) == 0
	if !c.Comparable && !opts.Force {
		c.Verdict = CompareNotComparable
		return c
	}

	bh, ch := histsOf(base), histsOf(cur)
	for _, side := range []struct {
		prefix     string
		bRaw, cRaw *hdr.Histogram
	}{{"latency", bh.Load.Raw, ch.Load.Raw}, {"latency_corrected", bh.Load.Corrected, ch.Load.Corrected}} {
		for _, q := range []struct {
			name string
			q    float64
		}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}} {
			c.add(quantileRow(side.prefix+"."+q.name, side.bRaw, side.cRaw, q.q), tol)
		}
	}

	bn, cn := base.Requests.Total, cur.Requests.Total
	for _, o := range oracle.AllOutcomes() {
		bk, ck := base.Outcomes[o], cur.Outcomes[o]
		if bk == 0 && ck == 0 {
			continue
		}
		row := proportionRow("rate."+o.String(), "fraction", 1, bk, bn, ck, cn)
		row.higherWorse = watchedOutcome(o)
		c.add(row, tol)
	}
	br, cr := base.Requests.ByKind[KindRefresh], cur.Requests.ByKind[KindRefresh]
	rl := proportionRow("race_logouts.per_1000", "per 1,000", 1000, base.RaceLogouts.Count, br, cur.RaceLogouts.Count, cr)
	rl.higherWorse = true
	c.add(rl, tol)

	c.add(throughputRow(base, cur), tol)
	c.add(CompareRow{Metric: "shortfall", Unit: "fraction", Base: base.Shortfall, Cur: cur.Shortfall, Delta: cur.Shortfall - base.Shortfall}, nil)

	c.Verdict = CompareNoChange
	for _, r := range c.Rows {
		if r.Change == ChangeWorse {
			c.Regressions = append(c.Regressions, r.Metric)
		}
	}
	switch {
	case len(c.Regressions) > 0:
		c.Verdict = CompareRegression
	case c.anyChange(ChangeBetter):
		c.Verdict = CompareImprovement
	}
	return c
}

func (c *Comparison) anyChange(change string) bool {
	for _, r := range c.Rows {
		if r.Change == change {
			return true
		}
	}
	return false
}

// add judges row against its tolerance (if it has one) and appends it.
func (c *Comparison) add(row CompareRow, tol Tolerances) {
	if row.Base != 0 {
		rel := row.Delta / row.Base
		row.DeltaRel = &rel
	}
	row.Change = ChangeNone
	t, judged := tol[row.Metric]
	if judged {
		row.Tolerance = t.String()
		if row.Unit == "ms" && t.Abs > 0 {
			row.Tolerance += "ms"
		}
		row.Beyond = t.exceeded(row.Base, row.Delta)
	}
	if row.Significant && (row.Beyond || !judged) {
		worse := (row.Delta > 0) == row.higherWorse
		switch {
		case !judged:
			row.Change = ChangeInfo
		case worse:
			row.Change = ChangeWorse
		default:
			row.Change = ChangeBetter
		}
	}
	c.Rows = append(c.Rows, row)
}

func runRef(dir string, s *Summary) RunRef {
	return RunRef{Dir: dir, ScenarioID: s.ScenarioID, Schema: s.Schema,
		StartedAt: s.StartedAt.UTC().Format("2006-01-02T15:04:05Z"), Verdict: s.Verdict, MergedFrom: s.MergedFrom}
}

func histsOf(s *Summary) *Histograms {
	if s.Histograms == nil {
		return &Histograms{}
	}
	return s.Histograms
}

// quantileRow compares one quantile. The intervals are shown; the test is
// an exceedance test: if both runs share the q-quantile t (the baseline's
// estimate), each run has a fraction 1-q of its samples above t, so a
// two-proportion test of the fractions above t tests the shift. It needs
// no assumption about the distribution and still works at p99.9, where
// the order-statistic interval of a short run is open above. A quantile
// is only tested when both runs expect at least one sample above it (100
// samples for p99, 1,000 for p99.9).
func quantileRow(metric string, b, c *hdr.Histogram, q float64) CompareRow {
	bv, bci := QuantileInterval(b, q)
	cv, cci := QuantileInterval(c, q)
	row := CompareRow{Metric: metric, Unit: "ms", Base: bv, Cur: cv, BaseCI: &bci, CurCI: &cci, Delta: cv - bv, higherWorse: true}
	if minN := int64(math.Ceil(1 / (1 - q))); count(b) < minN || count(c) < minN {
		return row
	}
	t := b.ValueAtQuantile(100 * q)
	p := pValue(twoProportionZ(above(b, t), uint64(b.TotalCount()), above(c, t), uint64(c.TotalCount())))
	row.PValue = &p
	row.Significant = p < 0.05
	return row
}

// above counts the values of h in buckets beyond the one holding t.
func above(h *hdr.Histogram, t int64) uint64 {
	var n int64
	for _, bar := range h.Distribution() {
		if bar.From > t {
			n += bar.Count
		}
	}
	return uint64(n)
}

func count(h *hdr.Histogram) int64 {
	if h == nil {
		return 0
	}
	return h.TotalCount()
}

// proportionRow compares k1/n1 with k2/n2 (scaled by scale): Wilson
// intervals, and a pooled two-proportion z-test.
func proportionRow(metric, unit string, scale float64, k1, n1, k2, n2 uint64) CompareRow {
	frac := func(k, n uint64) float64 {
		if n == 0 {
			return 0
		}
		return float64(k) / float64(n) * scale
	}
	scaled := func(iv Interval) *Interval { return &Interval{Lo: iv.Lo * scale, Hi: iv.Hi * scale} }
	row := CompareRow{Metric: metric, Unit: unit, Base: frac(k1, n1), Cur: frac(k2, n2),
		BaseCI: scaled(Wilson(k1, n1)), CurCI: scaled(Wilson(k2, n2))}
	row.Delta = row.Cur - row.Base
	p := pValue(twoProportionZ(k1, n1, k2, n2))
	if n1 == 0 || n2 == 0 {
		p = 1
	}
	row.PValue = &p
	row.Significant = p < 0.05
	return row
}

// throughputRow compares achieved refreshes per second, as Poisson rates.
func throughputRow(base, cur *Summary) CompareRow {
	bn, cn := base.Requests.ByKind[KindRefresh], cur.Requests.ByKind[KindRefresh]
	row := CompareRow{Metric: "throughput", Unit: "/s"}
	if base.ElapsedS > 0 {
		row.Base = float64(bn) / base.ElapsedS
		iv := poissonInterval(bn, base.ElapsedS)
		row.BaseCI = &iv
	}
	if cur.ElapsedS > 0 {
		row.Cur = float64(cn) / cur.ElapsedS
		iv := poissonInterval(cn, cur.ElapsedS)
		row.CurCI = &iv
	}
	row.Delta = row.Cur - row.Base
	p := pValue(poissonRateZ(bn, base.ElapsedS, cn, cur.ElapsedS))
	row.PValue = &p
	row.Significant = p < 0.05 && base.ElapsedS > 0 && cur.ElapsedS > 0
	return row
}

// RequestedRate is the paced rate in the run's config; false when the run
// was not paced (rate 0) or the config does not say.
func (s *Summary) RequestedRate() (float64, bool) {
	switch v := s.Config["rate"].(type) {
	case float64:
		return v, v > 0
	case int:
		return float64(v), v > 0
	}
	return 0, false
}

// BaselineResult is the comparison `run --baseline` folded into the
// verdict: a regression fails the run.
type BaselineResult struct {
	Dir         string   `json:"dir"`
	Verdict     string   `json:"verdict"` // a Compare* verdict
	Regressions []string `json:"regressions"`
	Forced      bool     `json:"forced,omitempty"`
}

// FoldBaseline records c in s and fails the verdict on a regression.
func FoldBaseline(s *Summary, c *Comparison) {
	s.Baseline = &BaselineResult{Dir: c.Base.Dir, Verdict: c.Verdict, Regressions: c.Regressions, Forced: c.Forced}
	if c.Verdict == CompareRegression || c.Verdict == CompareNotComparable {
		s.Verdict = VerdictFail
	}
}
