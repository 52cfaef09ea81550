package dashboard

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// fmtDur formats a latency compactly: 850µs, 1.23ms, 12.3ms, 123ms, 1.23s.
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d/time.Microsecond)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d < 100*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		return fmt.Sprintf("%.0fs", d.Seconds())
	}
}

// fmtCount formats a counter with thousands separators: 12,345.
func fmtCount(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	pre := len(s) % 3
	if pre > 0 {
		out = append(out, s[:pre]...)
	}
	for i := pre; i < len(s); i += 3 {
		if len(out) > 0 {
			out = append(out, ',')
		}
		out = append(out, s[i:i+3]...)
	}
	return string(out)
}

// fmtRate formats a request rate; 0 means "as fast as possible".
// fmtRequested formats a requested rate, where 0 means "as fast as the
// target answers"; an achieved rate of 0 is just 0/s (fmtRate).
func fmtRequested(r float64) string {
	if r <= 0 {
		return "max"
	}
	return fmtRate(r)
}

func fmtRate(r float64) string {
	switch {
	case r <= 0:
		return "0/s"
	case r < 100:
		return strconv.FormatFloat(roundSig(r, 3), 'f', -1, 64) + "/s"
	default:
		return fmtCount(uint64(math.Round(r))) + "/s"
	}
}

// fmtShare formats part/total as a percentage with sensible precision.
func fmtShare(part, total uint64) string {
	if total == 0 || part == 0 {
		return "0%"
	}
	p := float64(part) * 100 / float64(total)
	switch {
	case p < 0.01:
		return "<0.01%"
	case p < 1:
		return fmt.Sprintf("%.2f%%", p)
	default:
		return fmt.Sprintf("%.1f%%", p)
	}
}

// fmtClock formats a run time as m:ss or h:mm:ss.
func fmtClock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// roundSig rounds v to n significant digits (110.00000000000001 -> 110).
func roundSig(v float64, n int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', n, 64), 64)
	if err != nil {
		return v
	}
	return r
}
