package attack

import (
	"strings"
	"testing"
)

// FuzzParseChaos: any spec parses or fails with a bounded error; a parsed
// spec never asks for more than the whole load.
func FuzzParseChaos(f *testing.F) {
	for _, s := range []string{"lost-response=0.05:2s", "concurrent=0.1:3", "replay=0.02,csrf=0.01", "stale-cookie=0.1", "", "csrf=2", "x=y:z",
		"net-latency=0.1:200ms±50ms", "net-reset=0.05", "net-stall=0.01:3s", "partition=10s@30s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		c, err := ParseChaos(spec)
		if err != nil {
			if len(err.Error()) > maxErrText+len("…") {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		total := 0.0
		for _, it := range c.Items {
			if it.Fraction < 0 || it.Fraction > 1 {
				t.Fatalf("fraction %g in %q", it.Fraction, spec)
			}
			total += it.Fraction
		}
		if total > 1+1e-9 {
			t.Fatalf("fractions sum to %g in %q", total, spec)
		}
	})
}

func TestHugeChaosErrorIsBounded(t *testing.T) {
	_, err := ParseChaos(strings.Repeat("z", 10<<10))
	if err == nil || len(err.Error()) > maxErrText+len("…") {
		t.Fatalf("error %d bytes", len(err.Error()))
	}
}
