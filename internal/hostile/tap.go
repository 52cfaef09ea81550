package hostile

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// Tap is every secret seen on the wire: tokens and CSRF values the server
// issued or received, and the passwords it was sent.
type Tap struct {
	mu      sync.Mutex
	secrets map[string]struct{}
}

func (t *Tap) add(v string) {
	v = strings.TrimSpace(v)
	if len(v) < 4 { // shorter values cannot be told apart from ordinary text
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.secrets == nil {
		t.secrets = make(map[string]struct{})
	}
	t.secrets[v] = struct{}{}
}

// Secrets returns a copy of what was tapped.
func (t *Tap) Secrets() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.secrets))
	for s := range t.secrets {
		out = append(out, s)
	}
	return out
}

// request taps the cookies, the CSRF header and a JSON password.
func (t *Tap) request(r *http.Request, body []byte) {
	for _, c := range r.Cookies() {
		t.add(c.Value)
	}
	t.add(r.Header.Get("X-CSRF-Token"))
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		if pw, ok := m["password"].(string); ok {
			t.add(pw)
		}
	}
}

// response taps the cookies set and a JSON csrf_token.
func (t *Tap) response(h http.Header, body []byte) {
	for _, line := range h["Set-Cookie"] {
		pair, _, _ := strings.Cut(line, ";")
		if _, v, ok := strings.Cut(pair, "="); ok {
			t.add(v)
		}
	}
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		if tok, ok := m["csrf_token"].(string); ok {
			t.add(tok)
		}
	}
}
