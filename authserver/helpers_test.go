package authserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is an injectable clock for grace and expiry timing.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a server under test on a loopback httptest server.
type env struct {
	t     *testing.T
	srv   *Server
	url   string
	hc    *http.Client
	clock *fakeClock
}

func mustPolicy(t *testing.T, spec string) Policy {
	t.Helper()
	p, err := ParsePolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newEnv starts a server with policy spec, DemoUsers(3) and a fake clock.
func newEnv(t *testing.T, spec string, tweak ...func(*Config)) *env {
	t.Helper()
	clock := newClock()
	cfg := Config{Policy: mustPolicy(t, spec), Users: DemoUsers(3), Now: clock.Now}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	tr := &http.Transport{MaxIdleConnsPerHost: 128}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ts.Close()
	})
	return &env{t: t, srv: srv, url: ts.URL, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}, clock: clock}
}

// reply is a decoded response.
type reply struct {
	status  int
	body    map[string]any
	raw     string
	cookies map[string]*http.Cookie
	setRaw  []string
}

func (r reply) errCode() string { s, _ := r.body["error"].(string); return s }

// sess is a client's view of one session family.
type sess struct {
	access, refresh, csrf, family string
}

func (e *env) do(method, path, body string, cookies map[string]string, hdr map[string]string) reply {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	rep := reply{status: resp.StatusCode, raw: string(raw), cookies: map[string]*http.Cookie{}, setRaw: resp.Header.Values("Set-Cookie")}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		e.t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	if err := json.Unmarshal(raw, &rep.body); err != nil {
		e.t.Errorf("%s %s: body %q is not JSON: %v", method, path, raw, err)
	}
	for _, c := range resp.Cookies() {
		rep.cookies[c.Name] = c
	}
	return rep
}

func (e *env) signIn(user string) sess {
	e.t.Helper()
	r := e.do("POST", PathSignIn, `{"identifier":"`+user+`","password":"pw-`+user+`"}`, nil, nil)
	if r.status != 200 {
		e.t.Fatalf("sign-in %s: %d %s", user, r.status, r.raw)
	}
	s := sess{access: r.cookies[AccessCookie].Value, refresh: r.cookies[RefreshCookie].Value}
	s.family = r.body["session"].(map[string]any)["session_family_id"].(string)
	c := e.do("GET", PathCSRF, "", map[string]string{RefreshCookie: s.refresh}, nil)
	if c.status != 200 {
		e.t.Fatalf("csrf: %d %s", c.status, c.raw)
	}
	s.csrf = c.body["csrf_token"].(string)
	return s
}

// refresh presents token with csrf (no header if csrf is "").
func (e *env) refresh(token, csrf string) reply {
	e.t.Helper()
	var hdr map[string]string
	if csrf != "" {
		hdr = map[string]string{CSRFHeader: csrf}
	}
	return e.do("POST", PathRefresh, "", map[string]string{RefreshCookie: token}, hdr)
}

// mustRotate refreshes s and returns it with the new cookies.
func (e *env) mustRotate(s sess) sess {
	e.t.Helper()
	r := e.refresh(s.refresh, s.csrf)
	if r.status != 200 {
		e.t.Fatalf("refresh: %d %s", r.status, r.raw)
	}
	s.refresh, s.access = r.cookies[RefreshCookie].Value, r.cookies[AccessCookie].Value
	return s
}

func (e *env) sessionStatus(access string) int {
	e.t.Helper()
	return e.do("GET", PathSession, "", map[string]string{AccessCookie: access}, nil).status
}

// expect checks status and error code ("" for success).
func expect(t *testing.T, what string, r reply, status int, code string) {
	t.Helper()
	if r.status != status || r.errCode() != code {
		t.Fatalf("%s: got %d %s, want %d %q", what, r.status, r.raw, status, code)
	}
}
