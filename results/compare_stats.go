package results

import (
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// compareZ is the two-sided normal quantile of the comparison's confidence
// level (95 %): intervals are 95 % intervals and tests run at α = 0.05.
const compareZ = 1.959964

// Interval is a confidence interval.
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
	// Unbounded: too few samples to bound the quantile from above (Hi is
	// then the largest value recorded).
	Unbounded bool `json:"unbounded,omitempty"`
}

// Wilson is the Wilson score interval of k successes in n trials. Unlike the
// normal approximation it stays inside [0,1] and is not degenerate at k=0,
// which is the usual case for failures.
func Wilson(k, n uint64) Interval {
	if n == 0 {
		return Interval{Lo: 0, Hi: 1}
	}
	p := float64(k) / float64(n)
	nf := float64(n)
	z2 := compareZ * compareZ
	centre := (p + z2/(2*nf)) / (1 + z2/nf)
	half := compareZ / (1 + z2/nf) * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return Interval{Lo: math.Max(0, centre-half), Hi: math.Min(1, centre+half)}
}

// twoProportionZ is the pooled two-proportion z statistic of k2/n2 against
// k1/n1 (positive when the second proportion is larger). Zero when either
// sample is empty or both proportions are 0 or 1.
func twoProportionZ(k1, n1, k2, n2 uint64) float64 {
	if n1 == 0 || n2 == 0 {
		return 0
	}
	p1, p2 := float64(k1)/float64(n1), float64(k2)/float64(n2)
	pool := float64(k1+k2) / float64(n1+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return 0
	}
	return (p2 - p1) / se
}

// pValue is the two-sided p-value of a standard normal statistic.
func pValue(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }

// QuantileInterval is a distribution-free confidence interval for the q-th
// quantile (0<q<1) of the distribution h was sampled from. The number of
// samples at or below the true quantile is Binomial(n, q), so the order
// statistics at ranks nq ∓ z·sqrt(nq(1-q)) bracket it with the chosen
// confidence. The values at those ranks are read from the histogram, so the
// bounds also carry its 3-digit resolution. When the upper rank is beyond
// the sample the interval is unbounded above. Milliseconds.
func QuantileInterval(h *hdr.Histogram, q float64) (point float64, iv Interval) {
	if h == nil || h.TotalCount() == 0 {
		return 0, Interval{}
	}
	n := float64(h.TotalCount())
	half := compareZ * math.Sqrt(n*q*(1-q))
	lo := math.Max(1, math.Floor(n*q-half))
	hi := math.Ceil(n*q + half)
	at := func(rank float64) float64 {
		return float64(h.ValueAtQuantile(100*rank/n)) / 1e6
	}
	return at(math.Max(1, math.Ceil(n*q))), Interval{Lo: at(lo), Hi: at(math.Min(n, hi)), Unbounded: hi > n}
}

// poissonRateZ tests two event rates (counts over seconds), treating the
// counts as Poisson: positive when the second rate is larger.
func poissonRateZ(n1 uint64, t1 float64, n2 uint64, t2 float64) float64 {
	if t1 <= 0 || t2 <= 0 {
		return 0
	}
	se := math.Sqrt(float64(n1)/(t1*t1) + float64(n2)/(t2*t2))
	if se == 0 {
		return 0
	}
	return (float64(n2)/t2 - float64(n1)/t1) / se
}

// poissonInterval is a normal-approximation interval for a rate.
func poissonInterval(n uint64, t float64) Interval {
	if t <= 0 {
		return Interval{}
	}
	half := compareZ * math.Sqrt(float64(n)) / t
	r := float64(n) / t
	return Interval{Lo: math.Max(0, r-half), Hi: r + half}
}
