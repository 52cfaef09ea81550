package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/results"
)

// At low rates a single second is usually empty: the headless line measures
// the rate over the whole interval since the previous line, and says how far
// the run is and what it waits for.
func TestHeadlessProgressAtLowRate(t *testing.T) {
	var errOut bytes.Buffer
	v := &liveView{stderr: &errOut}
	v.progress(results.Snapshot{Elapsed: 10 * time.Second, Duration: 40 * time.Second, Refresh: 2})
	v.progress(results.Snapshot{Elapsed: 20 * time.Second, Duration: 40 * time.Second, Refresh: 4,
		Failing: "threshold latency.p99<1us failed (value 0.4 ms)"})
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines %q", lines)
	}
	for i, want := range []string{" 25% ETA 30s] rate     0.2/s", " 50% ETA 20s] rate     0.2/s"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d %q lacks %q", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[1], "FAILING: threshold latency.p99<1us") {
		t.Errorf("line %q does not carry the live verdict", lines[1])
	}
}
