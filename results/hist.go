package results

import (
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histograms record nanoseconds (the HdrHistogram log convention, so
// latency.hlog's max column reads in milliseconds), from 1 µs to 60 s with 3
// significant digits.
const (
	histLowest  = int64(time.Microsecond)
	histHighest = int64(60 * time.Second)
	histDigits  = 3
)

// newLatencyHist returns an empty latency histogram of the package geometry.
func newLatencyHist() *hdr.Histogram {
	return hdr.New(histLowest, histHighest, histDigits)
}

// recordLatency records d, clamped into the trackable range, so that one
// absurd value never goes missing from the counts.
func recordLatency(h *hdr.Histogram, d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	} else if v > histHighest {
		v = histHighest
	}
	_ = h.RecordValue(v) // cannot fail: v is in range
}

// quantilesOf reads the summary percentiles of h.
func quantilesOf(h *hdr.Histogram) Quantiles {
	if h == nil || h.TotalCount() == 0 {
		return Quantiles{}
	}
	return Quantiles{
		P50:   time.Duration(h.ValueAtQuantile(50)),
		P90:   time.Duration(h.ValueAtQuantile(90)),
		P99:   time.Duration(h.ValueAtQuantile(99)),
		P999:  time.Duration(h.ValueAtQuantile(99.9)),
		Max:   time.Duration(h.Max()),
		Count: h.TotalCount(),
	}
}

// ms converts a duration to float milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func durationNs(v int64) time.Duration { return time.Duration(v) }
