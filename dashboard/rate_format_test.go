package dashboard

import "testing"

// A requested rate of 0 means "as fast as the target answers"; an achieved
// rate of 0 (paused, or a stalled target) must read as zero, never as "max".
func TestZeroRatesReadDifferently(t *testing.T) {
	if got := fmtRate(0); got != "0/s" {
		t.Errorf("achieved 0 shows %q", got)
	}
	if got := fmtRequested(0); got != "max" {
		t.Errorf("requested 0 shows %q", got)
	}
	if got := fmtRequested(250); got != "250/s" {
		t.Errorf("requested 250 shows %q", got)
	}
}
