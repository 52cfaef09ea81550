package attack

import (
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// partition cuts all traffic between harness and target for a window of
// the run: requests fail before leaving the harness, as on a network
// that refuses connections, so the target never sees them.
type partition struct {
	start, end time.Duration // since the run started
	// refused marks the sessions a partition refused, so that their first
	// refresh after the heal is tagged and shows what the target does
	// with a family that went quiet.
	refused []atomic.Bool
	cut     sync.Once
}

var errPartition = errors.New("partition: connection refused (the request was not sent)")

func newPartition(c ChaosSpec, sessions int) *partition {
	it := c.item(ChaosPartition)
	if it.Delay <= 0 {
		return nil
	}
	return &partition{start: it.At, end: it.At + it.Delay, refused: make([]atomic.Bool, sessions)}
}

// active reports whether the run is inside the window.
func (e *Engine) partitioned() bool {
	p := e.partition
	if p == nil || e.start.IsZero() {
		return false
	}
	at := time.Since(e.start)
	if at < p.start || at >= p.end {
		return false
	}
	// Connections do not survive a partition: after the heal, requests
	// dial again, as they would after a real outage.
	p.cut.Do(func() {
		if c, ok := e.next.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	})
	return true
}

// refuse answers a refresh sent into the partition: a transport error,
// and the family is untouched, since nothing reached the target.
func (e *Engine) refuse(s *targets.Session, req *http.Request) *http.Response {
	e.injected(ChaosPartition)
	e.partition.refused[s.Index].Store(true)
	resp := synthetic(req, "transport error: "+errPartition.Error())
	j := oracle.Judgement{Outcome: oracle.TransportError, Detail: errPartition.Error()}
	annotate(resp.Header, s, j, ChaosPartition)
	e.pool.Release(s)
	return resp
}

// healed reports whether s was refused by the partition and this is its
// first refresh since (and clears the mark).
func (e *Engine) healed(s *targets.Session) bool {
	return s.Index < len(e.partition.refused) && e.partition.refused[s.Index].Swap(false)
}

// partitionGate fails the engine's own requests (sign-ins, probes) inside
// the partition, as the load's are.
type partitionGate struct {
	e    *Engine
	next http.RoundTripper
}

func (g partitionGate) RoundTrip(req *http.Request) (*http.Response, error) {
	if g.e.partitioned() {
		return nil, errPartition
	}
	return g.next.RoundTrip(req)
}
