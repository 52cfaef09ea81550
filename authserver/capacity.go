package authserver

import (
	"context"
	"sync"
	"time"
)

// throttle is the capacity model's queue in front of its workers
// (capacity=N/s, or workers= and service=). Each worker's next free time
// is kept on the clock, not slept off, so oversleeping on a loaded
// machine does not lower the capacity. Only refreshes queue.
type throttle struct {
	mu      sync.Mutex
	free    []time.Time
	service time.Duration
}

func newThrottle(p Policy) *throttle {
	if !p.Capacity.Enabled() {
		return nil
	}
	return &throttle{free: make([]time.Time, p.Capacity.Workers), service: p.Capacity.Service}
}

// wait queues for the earliest free worker and returns once served; false
// if ctx ended first.
func (t *throttle) wait(ctx context.Context) bool {
	t.mu.Lock()
	now := time.Now()
	best := 0
	for i, f := range t.free {
		if f.Before(t.free[best]) {
			best = i
		}
	}
	start := t.free[best]
	if start.Before(now) {
		start = now
	}
	done := start.Add(t.service)
	t.free[best] = done
	t.mu.Unlock()
	timer := time.NewTimer(time.Until(done))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// admitRefresh queues a refresh for the capacity model; false when the
// client gave up. Under contention-fork the service is spent holding the
// family lock instead (see lockFamily).
func (s *Server) admitRefresh(ctx context.Context) bool {
	if s.thr == nil || s.has(DefectContentionFork) {
		return true
	}
	return s.thr.wait(ctx)
}

// lockFamily locks f for a refresh. Under defect=contention-fork the lock
// is waited for at most the lock timeout, the way a database lock_timeout
// that the code ignores behaves: a caller that times out goes on, takes
// the lock only for its write and skips the "is it still the head?"
// check, so it forks the family. The holder spends its service time under
// the lock, so waits only time out once the server queues, that is under
// load: rotation is correct at low load and forks near the knee.
func (s *Server) lockFamily(f *family) (fellThrough bool) {
	if s.thr == nil || !s.has(DefectContentionFork) {
		f.mu.Lock()
		return false
	}
	timeout := s.pol.Capacity.LockTimeout
	if timeout <= 0 {
		timeout = 2 * s.pol.Capacity.Service
	}
	deadline := time.Now().Add(timeout)
	for !f.mu.TryLock() {
		if time.Now().After(deadline) {
			s.thr.wait(context.Background())
			f.mu.Lock()
			return true
		}
		time.Sleep(100 * time.Microsecond)
	}
	s.thr.wait(context.Background())
	return false
}
