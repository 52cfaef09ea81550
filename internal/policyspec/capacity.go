package policyspec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Capacity is the embedded server's capacity model: Workers serve one
// refresh at a time for Service each and the rest queue, so a load test
// finds a known knee at Workers/Service refreshes per second.
type Capacity struct {
	Workers int
	Service time.Duration
	// LockTimeout bounds the family-lock wait under defect=contention-fork;
	// 0 = 2 × Service.
	LockTimeout time.Duration
}

// DefaultCapacityWorkers is the worker count capacity=N/s implies.
const DefaultCapacityWorkers = 4

// Enabled reports whether the model throttles at all.
func (c Capacity) Enabled() bool { return c.Workers > 0 && c.Service > 0 }

// Rate is the most refreshes per second the model serves (0 = unbounded).
func (c Capacity) Rate() float64 {
	if !c.Enabled() {
		return 0
	}
	return float64(c.Workers) / c.Service.Seconds()
}

// capacityParts are the grammar's capacity knobs.
var capacityParts = []part{
	{"capacity", func(s *Spec, v string) (string, bool) {
		n, err := strconv.ParseFloat(strings.TrimSuffix(v, "/s"), 64)
		ok := err == nil && n > 0 && n <= 1e7
		if ok {
			s.Capacity.Workers = DefaultCapacityWorkers
			s.Capacity.Service = time.Duration(DefaultCapacityWorkers * float64(time.Second) / n)
		}
		return "capacity=N/s with N a positive rate like 800/s", ok
	}},
	{"workers", func(s *Spec, v string) (string, bool) {
		n, err := strconv.Atoi(v)
		s.Capacity.Workers = n
		return "workers=N with N in 1..100000", err == nil && n >= 1 && n <= 100000
	}},
	{"service", func(s *Spec, v string) (string, bool) {
		d, err := time.ParseDuration(v)
		s.Capacity.Service = d
		return "service=DURATION with a positive duration like 5ms", err == nil && d > 0
	}},
	{"lock-timeout", func(s *Spec, v string) (string, bool) {
		d, err := time.ParseDuration(v)
		s.Capacity.LockTimeout = d
		return "lock-timeout=DURATION with a positive duration like 10ms", err == nil && d > 0
	}},
}

// checkCapacity reports a capacity model that does not add up.
func (s Spec) checkCapacity() error {
	c := s.Capacity
	switch {
	case (c.Workers > 0) != (c.Service > 0):
		return fmt.Errorf("workers= and service= go together (or use capacity=N/s)")
	case s.Defects&DefectContentionFork != 0 && !c.Enabled():
		return fmt.Errorf("defect=contention-fork needs a capacity (capacity=N/s, or workers= and service=)")
	case c.LockTimeout > 0 && s.Defects&DefectContentionFork == 0:
		return fmt.Errorf("lock-timeout= needs defect=contention-fork")
	case c.LockTimeout < 0 || c.Service < 0 || c.Workers < 0:
		return fmt.Errorf("capacity model %+v has a negative value", c)
	}
	return nil
}

// capacityString renders the model in the grammar ("" when off).
func (c Capacity) capacityString() string {
	if !c.Enabled() {
		return ""
	}
	s := fmt.Sprintf(",workers=%d,service=%s", c.Workers, c.Service)
	if c.LockTimeout > 0 {
		s += ",lock-timeout=" + c.LockTimeout.String()
	}
	return s
}
