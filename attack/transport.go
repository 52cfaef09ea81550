package attack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/refreshstorm/refreshstorm/internal/scrub"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/wait"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// maxBody bounds how much of a response the harness reads.
const maxBody = 64 << 10

// Internal headers put on responses so the collector can read the
// verdict from vegeta's Result: the transport runs on vegeta's workers,
// the collector on its own goroutine, and the Result is the one value
// that travels from one to the other.
const (
	hdrOutcome = "X-Refreshstorm-Outcome"
	hdrSession = "X-Refreshstorm-Session"
	hdrFamily  = "X-Refreshstorm-Family"
	hdrChaos   = "X-Refreshstorm-Chaos"
	hdrDetail  = "X-Refreshstorm-Detail"
	// dropped marks a tick that found no idle session.
	droppedOutcome = "dropped"
)

var (
	outcomeValues [oracle.NumOutcomes][]string
	chaosValues   [numChaosKinds][]string
	droppedValue  = []string{droppedOutcome}
)

func init() {
	for o := range outcomeValues {
		outcomeValues[o] = []string{oracle.Outcome(o).String()}
	}
	for k := range chaosValues {
		chaosValues[k] = []string{ChaosKind(k).String()}
	}
}

// RoundTrip is the session-aware transport: it finds the request's
// session, sends, judges the reply, updates the session and releases
// (or hands on) the lease.
func (e *Engine) RoundTrip(req *http.Request) (*http.Response, error) {
	slot := req.Header[targets.SessionHeader]
	if len(slot) == 0 {
		return e.next.RoundTrip(req)
	}
	delete(req.Header, targets.SessionHeader)
	if slot[0] == targets.DroppedSlot {
		return e.droppedResponse(req), nil
	}
	idx, err := strconv.Atoi(slot[0])
	s := e.pool.Session(idx)
	if err != nil || s == nil {
		return nil, errors.New("refreshstorm: request names no session")
	}
	e.pool.Sent(s)
	// --timeout is put on the request here, not by http.Client.Timeout
	// (see WithTimeout). Every send completes before RoundTrip returns
	// (bodies are read whole), so the deadline ends with RoundTrip.
	req, cancel := withDeadline(req, e.cfg.Timeout)
	defer cancel()
	kind := ChaosKind(s.Chaos)
	s.Chaos = 0
	if e.partition != nil {
		if e.partitioned() {
			return e.refuse(s, req), nil
		}
		if e.healed(s) {
			kind = ChaosPartition
		}
	}
	switch kind {
	case ChaosNetLatency, ChaosNetStall:
		return e.netDelay(s, req, kind)
	case ChaosNetReset:
		return e.netReset(s, req)
	case ChaosConcurrent:
		return e.concurrent(s, req)
	case ChaosLostResponse:
		return e.lostResponse(s, req)
	case ChaosCSRF:
		return e.csrfTamper(s, req)
	case ChaosStaleCookie:
		if _, ok := s.Ancestor(1); ok {
			return e.staleCookie(s, req)
		}
		kind = chaosNone
	case ChaosReplay:
		e.injected(ChaosReplay)
	}
	return e.plain(s, req, kind)
}

// plain is one ordinary refresh by a legitimate client.
func (e *Engine) plain(s *targets.Session, req *http.Request, kind ChaosKind) (*http.Response, error) {
	resp, reply := e.send(req, s)
	j := e.judgeHead(s, reply)
	annotate(resp.Header, s, j, kind)
	if j.Accepted {
		if s.Family == "" && reply.FamilyID != "" {
			e.pool.LearnFamily(s, reply.FamilyID) // an imported session
		}
		s.Rotate(reply.NewRefresh, reply.NewAccess, time.Now())
		if kind == ChaosReplay {
			e.goAsync(func(ctx context.Context) { e.replay(ctx, s) })
			return resp, nil
		}
		e.pool.Release(s)
		return resp, nil
	}
	e.afterFailedRefresh(s, j, reply)
	return resp, nil
}

// afterFailedRefresh decides what a not-accepted refresh by a legitimate
// client means for its session: keep it (throttled, outage) or replace
// its family (logged out, or the client can no longer know its token).
// A session told to come back later rests for as long as it was asked.
func (e *Engine) afterFailedRefresh(s *targets.Session, j oracle.Judgement, reply oracle.Reply) {
	switch {
	case j.Rejected:
		s.State = oracle.FamilyRevokedSpuriously
	case j.Outcome == oracle.TransportError || j.Outcome == oracle.Timeout || j.Outcome == oracle.FailBadResponse:
		// The server may have rotated without the client learning the child.
		s.State = oracle.FamilyDesync
	default:
		if rest := e.restFor(reply); rest > 0 {
			e.goAsync(func(ctx context.Context) {
				wait.For(ctx, rest)
				e.pool.Release(s)
			})
			return
		}
		e.pool.Release(s)
		return
	}
	e.goAsync(func(ctx context.Context) { e.replaceFamily(ctx, s) })
}

// restFor is how long a session rests after a throttling or "try again
// later" answer (429, 503, 409, 423) that carries Retry-After: the time
// asked, at most --max-retry-after. A well-behaved client does the same,
// and a session hammering a target that asked for a pause would measure
// the throttle, not the rotation. The session is not idle meanwhile, so
// ticks that find no idle session show as dropped.
func (e *Engine) restFor(r oracle.Reply) time.Duration {
	switch r.Status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusConflict, http.StatusLocked:
	default:
		return 0
	}
	limit := e.cfg.Bootstrap.MaxRetryAfter
	if limit <= 0 {
		limit = targets.DefaultMaxRetryAfter
	}
	return min(r.RetryAfter, limit)
}

// send performs one request and reads the reply whole. The response it
// returns always has a readable body (vegeta reads it again) and a header
// map for annotations, even when the request failed below HTTP.
//
// The deadline is the request's own: vegeta's client sets --timeout on
// every request it sends, and refreshDirect sets it on the others.
func (e *Engine) send(req *http.Request, s *targets.Session) (*http.Response, oracle.Reply) {
	return e.sendOn(e.next, req, s)
}

// sendOn is send over rt: the run's transport, or a faulted connection.
func (e *Engine) sendOn(rt http.RoundTripper, req *http.Request, s *targets.Session) (*http.Response, oracle.Reply) {
	// net/http's client cancels on a timer of its own, which may fire a
	// moment before the context's: past the deadline is a timeout either way.
	timedOut := func(err error) bool {
		d, ok := req.Context().Deadline()
		return isTimeout(err) || errors.Is(req.Context().Err(), context.DeadlineExceeded) || (ok && !time.Now().Before(d))
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return synthetic(req, "transport error: "+secretFree(err.Error(), s)), oracle.Reply{NoResponse: true, Timeout: timedOut(err)}
	}
	buf := bodyBuffers.Get().(*bodyBuffer)
	defer bodyBuffers.Put(buf)
	buf.Reset()
	buf.limit = io.LimitedReader{R: resp.Body, N: maxBody}
	_, err = buf.ReadFrom(&buf.limit)
	buf.limit.R = nil
	resp.Body.Close()
	if err != nil {
		return synthetic(req, "reading body: "+secretFree(err.Error(), s)), oracle.Reply{NoResponse: true, Timeout: timedOut(err)}
	}
	// The verdict travels on the headers and result files never keep
	// bodies, so vegeta gets an empty one: the buffer is reused at once.
	resp.Body = http.NoBody
	reply := e.profile.ParseRefresh(resp.StatusCode, resp.Header, buf.Bytes())
	if reply.ConfigError != "" {
		e.configFault(reply.Status, reply.ConfigError)
	}
	reply.FamilyID = ownFamilyID(reply.FamilyID, s)
	if resp.StatusCode >= 400 {
		reply.RetryAfter = targets.RetryAfter(resp.Header)
	}
	return resp, reply
}

// configFault stops the run the first time the target rejects the
// harness's own client (invalid_client mid-run: a rotated secret, a
// revoked client): every later request would fail the same way.
func (e *Engine) configFault(status int, code string) {
	msg := fmt.Sprintf("configuration error: the target answered %d %s to a refresh (check client id, secret and client auth)", status, code)
	if e.configErr.CompareAndSwap(nil, &msg) {
		e.Stop()
	}
}

// ownFamilyID makes the family id independent of the body buffer, which
// is reused as soon as send returns (a profile may hand the id out as a
// view of the body). The id nearly always is the session's own, which is
// then reused: no copy per request.
func ownFamilyID(id string, s *targets.Session) string {
	if s != nil && id == s.Family {
		return s.Family
	}
	return strings.Clone(id)
}

// bodyBuffer is a reusable response buffer with its size limiter, so that
// reading a body allocates nothing.
type bodyBuffer struct {
	bytes.Buffer
	limit io.LimitedReader
}

// bodyBuffers recycles response buffers: nothing keeps a body past
// ParseRefresh (tokens come from headers, the family id is copied).
var bodyBuffers = sync.Pool{New: func() any {
	b := &bodyBuffer{}
	b.Grow(1024)
	return b
}}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// synthetic stands in for a response that never came. vegeta records its
// status 0 and the Status text as the error, as it does for its own
// transport errors.
func synthetic(req *http.Request, status string) *http.Response {
	return &http.Response{
		Status: status, StatusCode: 0,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, 4), Body: http.NoBody, Request: req,
	}
}

func (e *Engine) droppedResponse(req *http.Request) *http.Response {
	if e.cfg.Rate <= 0 {
		// At max rate a worker that finds no idle session would spin.
		time.Sleep(200 * time.Microsecond)
	}
	r := synthetic(req, "dropped: no idle session")
	r.Header[hdrOutcome] = droppedValue
	return r
}

// annotate writes the verdict onto the response for the collector.
func annotate(h http.Header, s *targets.Session, j oracle.Judgement, kind ChaosKind) {
	h[hdrOutcome] = outcomeValues[j.Outcome]
	h[hdrSession] = s.FPValue()
	h[hdrFamily] = s.FamilyFPValue()
	if kind != chaosNone {
		h[hdrChaos] = chaosValues[kind]
	}
	if j.Outcome != oracle.OKRotated {
		h[hdrDetail] = []string{secretFree(j.Detail, s)}
	}
}

// secretFree scrubs a text that may quote the target or a Go error of the
// session's own secrets, which only the session knows; the recorder
// scrubs the process-wide ones again.
func secretFree(text string, s *targets.Session) string {
	if s == nil {
		return scrub.Text(text)
	}
	extra := make([]string, 0, 3+targets.MaxAncestors)
	extra = append(extra, s.Refresh, s.Access, s.CSRF)
	for k := 1; k <= s.Ancestors(); k++ {
		a, _ := s.Ancestor(k)
		extra = append(extra, a.Token)
	}
	return scrub.Text(text, extra...)
}
