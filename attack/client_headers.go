package attack

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/textproto"
	"strings"
	"sync"

	"golang.org/x/net/http/httpguts"
)

// ParseHeader reads one `Name: value` flag. Its errors never quote the
// argument: the value is usually a secret, and a missing colon means the
// name and value cannot be told apart.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	switch {
	case !ok:
		return "", "", errors.New("want 'Name: value', found no colon (value not shown)")
	case name == "":
		return "", "", errors.New("want 'Name: value', found an empty name (value not shown)")
	case !httpguts.ValidHeaderFieldName(name):
		return "", "", errors.New("want 'Name: value', found a character not allowed in a header name (value not shown)")
	}
	value = strings.TrimSpace(value)
	if !httpguts.ValidHeaderFieldValue(value) {
		return "", "", fmt.Errorf("header %s: the value holds a control character or line break (value not shown)", name)
	}
	return textproto.CanonicalMIMEHeaderKey(name), value, nil
}

// Wire is the round tripper every harness request goes through: it adds
// the configured headers (gateway keys and the like) and counts which
// protocol answered.
type Wire struct {
	Next    http.RoundTripper
	Headers http.Header

	mu     sync.Mutex
	protos map[string]uint64
}

// RoundTrip sends req with the extra headers on a copy (the caller's
// request stays untouched, as RoundTripper requires).
func (w *Wire) RoundTrip(req *http.Request) (*http.Response, error) {
	return w.roundTrip(w.Next, req)
}

// Via is the wire with another next hop: the faulted connections of
// network chaos get the same headers and the same protocol counts.
func (w *Wire) Via(next http.RoundTripper) http.RoundTripper { return wireVia{w, next} }

type wireVia struct {
	w    *Wire
	next http.RoundTripper
}

func (v wireVia) RoundTrip(req *http.Request) (*http.Response, error) {
	return v.w.roundTrip(v.next, req)
}

func (w *Wire) roundTrip(next http.RoundTripper, req *http.Request) (*http.Response, error) {
	if len(w.Headers) > 0 {
		req = req.Clone(req.Context())
		for k, vs := range w.Headers {
			if req.Header.Get(k) == "" {
				req.Header[k] = vs
			}
		}
	}
	resp, err := next.RoundTrip(req)
	if err == nil {
		w.mu.Lock()
		if w.protos == nil {
			w.protos = map[string]uint64{}
		}
		w.protos[resp.Proto]++
		w.mu.Unlock()
	}
	return resp, err
}

// Protocols returns responses counted per protocol (e.g. "HTTP/2.0").
func (w *Wire) Protocols() map[string]uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.protos)
}

// CloseIdleConnections passes through so callers can hold only the Wire.
func (w *Wire) CloseIdleConnections() {
	if c, ok := w.Next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
