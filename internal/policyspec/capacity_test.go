package policyspec

import (
	"strings"
	"testing"
	"time"
)

func TestCapacityGrammar(t *testing.T) {
	s, err := Parse("strict,capacity=800/s")
	if err != nil || s.Capacity.Rate() != 800 || s.Capacity.Workers != DefaultCapacityWorkers {
		t.Fatalf("capacity=800/s: %+v %v", s.Capacity, err)
	}
	s, err = Parse("strict,workers=2,service=10ms,defect=contention-fork,lock-timeout=30ms")
	if err != nil || s.Capacity.Rate() != 200 || s.Capacity.LockTimeout != 30*time.Millisecond || s.Defects&DefectContentionFork == 0 {
		t.Fatalf("workers/service: %+v %v", s, err)
	}
	back, err := Parse(s.String())
	if err != nil || back != s {
		t.Fatalf("String %q does not parse back: %+v %v", s.String(), back, err)
	}
	if s.ServerOnly() == "" {
		t.Error("a capacity model is a server-only part")
	}
	for spec, want := range map[string]string{
		"strict,defect=contention-fork":          "needs a capacity",
		"strict,workers=4":                       "go together",
		"strict,capacity=0/s":                    "capacity=N/s",
		"strict,capacity=800/s,lock-timeout=1ms": "needs defect=contention-fork",
	} {
		if _, err := Parse(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", spec, err, want)
		}
	}
}
