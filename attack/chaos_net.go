package attack

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// sendFaulted sends req over its own faulted connection. Besides what the
// client got, it returns the call, which knows what the server really
// answered (call.answer) and whether a stall kept the request from it.
func (e *Engine) sendFaulted(req *http.Request, s *targets.Session, kind ChaosKind) (*http.Response, oracle.Reply, *faultCall) {
	it := e.chaosItem(kind)
	call := &faultCall{kind: kind, delay: it.Delay}
	if kind == ChaosNetLatency && it.Jitter > 0 {
		call.delay += time.Duration(rand.Int64N(int64(2*it.Jitter)+1)) - it.Jitter
	}
	req = req.WithContext(context.WithValue(req.Context(), faultKey{}, call))
	resp, reply := e.sendOn(e.faultRT, req, s)
	return resp, reply, call
}

// netDelay is net-latency and net-stall: the refresh goes through late,
// or not at all when the hold outlasts the timeout. A request still held
// back, wholly or half-sent, when the client gave up never reached the
// server, so its family is still in step.
func (e *Engine) netDelay(s *targets.Session, req *http.Request, kind ChaosKind) (*http.Response, error) {
	e.injected(kind)
	resp, reply, call := e.sendFaulted(req, s, kind)
	j := e.judgeHead(s, reply)
	if reply.NoResponse && call.unsent.Load() {
		j.Detail = "held back until the client gave up: the server never had the whole request"
		annotate(resp.Header, s, j, kind)
		e.pool.Release(s)
		return resp, nil
	}
	annotate(resp.Header, s, j, kind)
	if j.Accepted {
		s.Rotate(reply.NewRefresh, reply.NewAccess, time.Now())
		e.pool.Release(s)
		return resp, nil
	}
	e.afterFailedRefresh(s, j, reply)
	return resp, nil
}

// resetDetail explains a reset refresh judged ok_rotated in events.csv:
// the server's side is fine, the client never saw it.
const resetDetail = "the server rotated; the connection was reset before the client read the answer"

// netReset: the server answers, and the connection is reset before the
// client reads the answer. The oracle judges what the server really did
// (kept by the fault connection); the client, which saw only the reset,
// retries with its old token, as after a lost response.
func (e *Engine) netReset(s *targets.Session, req *http.Request) (*http.Response, error) {
	e.injected(ChaosNetReset)
	resp, reply, call := e.sendFaulted(req, s, ChaosNetReset)
	received := time.Now()
	if k := call.answer(); k != nil {
		reply = e.profile.ParseRefresh(k.status, k.header, k.body)
		resp.StatusCode = k.status
	}
	j := e.judgeHead(s, reply)
	annotate(resp.Header, s, j, ChaosNetReset)
	if j.Outcome == oracle.OKRotated {
		resp.Header[hdrDetail] = []string{resetDetail}
	}
	if !j.Accepted {
		e.afterFailedRefresh(s, j, reply)
		return resp, nil
	}
	e.retryLost(s, ChaosNetReset, reply.NewRefresh, reply.NewAccess, received, defaultRetryDelay)
	return resp, nil
}

// setUpNetChaos prepares what the network kinds need: the partition
// window, and the faulted path, which adds the run's headers and counts
// protocols as the run's own path does.
func (e *Engine) setUpNetChaos() error {
	e.partition = newPartition(e.cfg.Chaos, e.pool.Len())
	faulted := false
	for i, sp := range e.allChaos() {
		faulted = faulted || sp.Faulted()
		for _, it := range sp.Items {
			if i > 0 && it.Kind == ChaosPartition && it.Delay > 0 && sp.String() != e.cfg.Chaos.String() {
				return errors.New("attack: a partition window is a time of the whole run: give it in the run's chaos, not a stage's")
			}
		}
	}
	if !faulted {
		return nil
	}
	f, err := newFaultTransport(e.cfg.Transport)
	if err != nil {
		return err
	}
	e.faultRT = f
	if w, ok := e.cfg.Transport.(*Wire); ok {
		e.faultRT = w.Via(f)
	}
	return nil
}

// netEventDur is the longest a network fault adds to one event: the
// longest hold, or net-reset's retry delay.
func (e *Engine) netEventDur() time.Duration {
	var d time.Duration
	for _, sp := range e.allChaos() {
		for _, it := range sp.Items {
			switch {
			case it.Fraction <= 0:
			case it.Kind == ChaosNetLatency || it.Kind == ChaosNetStall:
				d = max(d, it.Delay+it.Jitter)
			case it.Kind == ChaosNetReset:
				d = max(d, defaultRetryDelay)
			}
		}
	}
	return d
}
