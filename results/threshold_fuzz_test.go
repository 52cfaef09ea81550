package results

import (
	"strings"
	"testing"
)

// FuzzParseThreshold: any text parses or fails with a bounded error,
// never a panic; a parsed threshold checks any summary.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"latency.p99<250ms", "rate.undecided<0.01", "fail_fork==0", "accepted>0",
		"rate.failures+undecided<=0.5", "families.desync<3", "requests.rate>=100", "latency_corrected.p99.9<1s", "x<", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		th, err := ParseThreshold(expr)
		if err != nil {
			if n := len(err.Error()); n > 400 {
				t.Fatalf("error of %d bytes for a %d-byte expression", n, len(expr))
			}
			return
		}
		s := &Summary{}
		s.Outcomes[0] = 10
		th.Check(s)
		_ = th.Unit()
	})
}

// A 10 KB expression is not echoed whole in its error.
func TestHugeThresholdErrorIsBounded(t *testing.T) {
	expr := strings.Repeat("a", 10<<10) + "<1"
	_, err := ParseThreshold(expr)
	if err == nil || len(err.Error()) > 400 || !strings.Contains(err.Error(), "10242 bytes") {
		t.Fatalf("error %.300q (%d bytes)", err, len(err.Error()))
	}
}
