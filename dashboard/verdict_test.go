package dashboard

import (
	"strings"
	"testing"
)

// A user threshold the engine found lost turns the header to FAILING with
// its reason, although no fail_* outcome has occurred.
func TestLostUserThresholdFailsTheLiveVerdict(t *testing.T) {
	s := forkSnapshot()
	s.Outcomes = [len(s.Outcomes)]uint64{}
	if v := judge(&s); v.failing {
		t.Fatalf("clean snapshot judged failing: %s", v.reason)
	}
	s.Failing = "threshold latency.p99<1us failed (value 0.4 ms)"
	v := judge(&s)
	if !v.failing || !strings.Contains(v.reason, "latency.p99<1us") {
		t.Fatalf("verdict %+v", v)
	}
}
