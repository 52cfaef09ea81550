package attack

import (
	"context"
	"io"
	"net/http"
	"time"
)

// WithTimeout bounds each request through next, from sending to closing
// the response body, by d. Use it instead of http.Client.Timeout in front
// of any RoundTripper that is not a plain *http.Transport (the Wire, the
// engine, a chaos gate): for those, net/http enforces Client.Timeout with
// a goroutine, a timer and two channels per request, which at sign-in and
// load rates is a measurable share of the client's CPU. A request that
// already carries a deadline no later than d keeps its own.
func WithTimeout(next http.RoundTripper, d time.Duration) http.RoundTripper {
	return timeoutTransport{next: next, d: d}
}

type timeoutTransport struct {
	next http.RoundTripper
	d    time.Duration
}

func (t timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	timed, cancel := withDeadline(req, t.d)
	if timed == req { // its own deadline holds: nothing to release
		return t.next.RoundTrip(req)
	}
	resp, err := t.next.RoundTrip(timed)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

// withDeadline puts a deadline d from now on req unless it has one no
// later; cancel releases the deadline's timer.
func withDeadline(req *http.Request, d time.Duration) (*http.Request, context.CancelFunc) {
	if at, ok := req.Context().Deadline(); d <= 0 || (ok && time.Until(at) <= d) {
		return req, func() {}
	}
	ctx, cancel := context.WithTimeout(req.Context(), d)
	return req.WithContext(ctx), cancel
}

// cancelOnClose ends a request's deadline when its body is closed: the
// deadline must cover reading the body, which happens after RoundTrip.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// CloseIdleConnections passes through, so that http.Client's own
// CloseIdleConnections still reaches the transport.
func (t timeoutTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
