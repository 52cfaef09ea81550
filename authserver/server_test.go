package authserver

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestProtocolHappyPath(t *testing.T) {
	e := newEnv(t, "strict")
	r := e.do("POST", PathSignIn, `{"identifier":"user-0001","password":"pw-user-0001"}`, nil, nil)
	expect(t, "sign-in", r, 200, "")
	if r.body["ok"] != true || r.body["action"] != "sign_in" || r.body["authenticated"] != true {
		t.Fatalf("sign-in body %s", r.raw)
	}
	if id := r.body["user"].(map[string]any)["identifier"]; id != "user-0001" {
		t.Fatalf("user %v", id)
	}
	ses := r.body["session"].(map[string]any)
	fam := ses["session_family_id"].(string)
	for _, k := range []string{"access_expires_at", "refresh_expires_at"} {
		if _, err := time.Parse(time.RFC3339, ses[k].(string)); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	s := sess{access: r.cookies[AccessCookie].Value, refresh: r.cookies[RefreshCookie].Value, family: fam}

	// CSRF from either cookie, stable across rotations.
	c1 := e.do("GET", PathCSRF, "", map[string]string{AccessCookie: s.access}, nil)
	c2 := e.do("GET", PathCSRF, "", map[string]string{RefreshCookie: s.refresh}, nil)
	expect(t, "csrf", c1, 200, "")
	if c1.body["csrf_token"] != c2.body["csrf_token"] || c1.body["csrf_token"] == "" {
		t.Fatalf("csrf tokens differ: %s %s", c1.raw, c2.raw)
	}
	s.csrf = c1.body["csrf_token"].(string)
	expect(t, "csrf without cookies", e.do("GET", PathCSRF, "", nil, nil), 401, ErrInvalidSession)

	if st := e.sessionStatus(s.access); st != 200 {
		t.Fatalf("session: %d", st)
	}
	rr := e.refresh(s.refresh, s.csrf)
	expect(t, "refresh", rr, 200, "")
	if rr.body["action"] != "refresh" || rr.body["refreshed"] != true {
		t.Fatalf("refresh body %s", rr.raw)
	}
	if got := rr.body["session"].(map[string]any)["session_family_id"]; got != fam {
		t.Fatalf("family changed: %v != %v", got, fam)
	}
	n := sess{access: rr.cookies[AccessCookie].Value, refresh: rr.cookies[RefreshCookie].Value, csrf: s.csrf, family: fam}
	if n.refresh == s.refresh || n.access == s.access || n.refresh == "" || n.access == "" {
		t.Fatal("refresh did not issue new cookies")
	}
	c3 := e.do("GET", PathCSRF, "", map[string]string{RefreshCookie: n.refresh}, nil)
	if c3.body["csrf_token"] != s.csrf {
		t.Fatal("csrf token changed across rotation")
	}
	if e.srv.FamilyLiveHeads(fam) != 1 {
		t.Fatalf("live heads %d", e.srv.FamilyLiveHeads(fam))
	}
	sr := e.do("GET", PathSession, "", map[string]string{AccessCookie: n.access}, nil)
	expect(t, "session", sr, 200, "")
	if sr.body["authenticated"] != true {
		t.Fatalf("session body %s", sr.raw)
	}

	// Sign-out needs CSRF, revokes the family and clears both cookies.
	expect(t, "sign-out without csrf", e.do("POST", PathSignOut, "", map[string]string{RefreshCookie: n.refresh}, nil), 403, ErrCSRFRequired)
	so := e.do("POST", PathSignOut, "", map[string]string{RefreshCookie: n.refresh, AccessCookie: n.access}, map[string]string{CSRFHeader: s.csrf})
	expect(t, "sign-out", so, 200, "")
	if so.body["action"] != "sign_out" {
		t.Fatalf("sign-out body %s", so.raw)
	}
	for _, name := range []string{AccessCookie, RefreshCookie} {
		if c := so.cookies[name]; c == nil || c.Value != "" || c.MaxAge >= 0 {
			t.Fatalf("sign-out cookie %s not cleared: %v", name, so.setRaw)
		}
	}
	expect(t, "refresh after sign-out", e.refresh(n.refresh, s.csrf), 401, ErrInvalidSession)
	if st := e.sessionStatus(n.access); st != 401 {
		t.Fatalf("session after sign-out: %d", st)
	}
	st := e.srv.Stats()
	if st.SignIns != 1 || st.Rotations != 1 || st.FamiliesRevoked != 1 || st.ActiveFamilies != 0 || st.Refreshes != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestCookieAttributes(t *testing.T) {
	e := newEnv(t, "strict", func(c *Config) { c.AccessTTL = 90 * time.Second; c.RefreshTTL = time.Hour })
	s := e.signIn("user-0002")
	for _, r := range []reply{
		e.do("POST", PathSignIn, `{"identifier":"user-0002","password":"pw-user-0002"}`, nil, nil),
		e.refresh(s.refresh, s.csrf),
	} {
		expect(t, "issue", r, 200, "")
		if len(r.setRaw) != 2 {
			t.Fatalf("want 2 Set-Cookie, got %q", r.setRaw)
		}
		for _, line := range r.setRaw {
			c, err := http.ParseSetCookie(line)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			wantAge := map[string]int{AccessCookie: 90, RefreshCookie: 3600}[c.Name]
			if wantAge == 0 || !c.Secure || !c.HttpOnly || c.Path != "/" || c.SameSite != http.SameSiteLaxMode ||
				c.Domain != "" || strings.Contains(strings.ToLower(line), "domain=") ||
				c.MaxAge != wantAge || !c.Expires.Equal(e.clock.Now().Add(time.Duration(wantAge)*time.Second).Truncate(time.Second)) {
				t.Errorf("bad cookie %q (parsed %+v)", line, c)
			}
		}
	}
}

func TestErrorsAndRouting(t *testing.T) {
	e := newEnv(t, "")
	s := e.signIn("user-0001")
	tests := []struct {
		name, method, path, body string
		cookies, hdr             map[string]string
		status                   int
		code                     string
	}{
		{"bad json", "POST", PathSignIn, `{"identifier":`, nil, nil, 400, ErrInvalidRequest},
		{"missing password", "POST", PathSignIn, `{"identifier":"user-0001"}`, nil, nil, 400, ErrInvalidRequest},
		{"wrong password", "POST", PathSignIn, `{"identifier":"user-0001","password":"nope"}`, nil, nil, 401, ErrInvalidCredentials},
		{"unknown user", "POST", PathSignIn, `{"identifier":"mallory","password":"pw-mallory"}`, nil, nil, 401, ErrInvalidCredentials},
		{"refresh GET", "GET", PathRefresh, "", nil, nil, 405, ErrMethodNotAllowed},
		{"sign-in GET", "GET", PathSignIn, "", nil, nil, 405, ErrMethodNotAllowed},
		{"session POST", "POST", PathSession, "", nil, nil, 405, ErrMethodNotAllowed},
		{"unknown path", "GET", "/api/auth/nope", "", nil, nil, 404, ErrNotFound},
		{"refresh no cookie", "POST", PathRefresh, "", nil, map[string]string{CSRFHeader: s.csrf}, 401, ErrInvalidSession},
		{"refresh unknown token", "POST", PathRefresh, "", map[string]string{RefreshCookie: strings.Repeat("A", 43)}, map[string]string{CSRFHeader: s.csrf}, 401, ErrInvalidSession},
		{"refresh garbage token", "POST", PathRefresh, "", map[string]string{RefreshCookie: "x"}, map[string]string{CSRFHeader: s.csrf}, 401, ErrInvalidSession},
		{"session forged access", "GET", PathSession, "", map[string]string{AccessCookie: flipFirst(s.access)}, nil, 401, ErrInvalidSession},
		{"session refresh as access", "GET", PathSession, "", map[string]string{AccessCookie: s.refresh}, nil, 401, ErrInvalidSession},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, tc.name, e.do(tc.method, tc.path, tc.body, tc.cookies, tc.hdr), tc.status, tc.code)
		})
	}
	e.mustRotate(s) // the session is untouched by all that
}

func TestCSRF(t *testing.T) {
	other := func(e *env) string { return e.signIn("user-0003").csrf }
	tests := []struct {
		name   string
		header func(e *env, s sess) string
		code   string
	}{
		{"missing", func(*env, sess) string { return "" }, ErrCSRFRequired},
		{"wrong", func(_ *env, s sess) string { return flipFirst(s.csrf) }, ErrInvalidCSRF},
		{"other family", func(e *env, _ sess) string { return other(e) }, ErrInvalidCSRF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Correct server: rejected, nothing changes, the same token still works.
			e := newEnv(t, "strict")
			s := e.signIn("user-0001")
			expect(t, "tampered", e.refresh(s.refresh, tc.header(e, s)), 403, tc.code)
			e.mustRotate(s)
			if e.srv.Stats().CSRFRejected != 1 {
				t.Fatalf("stats %+v", e.srv.Stats())
			}

			// DefectCSRFConsumes: the rejected request rotated the token.
			e = newEnv(t, "strict,defect=csrf-consumes")
			s = e.signIn("user-0001")
			expect(t, "tampered", e.refresh(s.refresh, tc.header(e, s)), 403, tc.code)
			expect(t, "after consumed", e.refresh(s.refresh, s.csrf), 401, ErrReused)

			// DefectNoCSRF: accepted whatever the header.
			e = newEnv(t, "strict,defect=no-csrf")
			s = e.signIn("user-0001")
			expect(t, "no-csrf", e.refresh(s.refresh, tc.header(e, s)), 200, "")
		})
	}
}

func TestFamilyCap(t *testing.T) {
	e := newEnv(t, "strict")
	var ss []sess
	for range 6 {
		ss = append(ss, e.signIn("user-0001"))
	}
	expect(t, "oldest family", e.refresh(ss[0].refresh, ss[0].csrf), 401, ErrInvalidSession)
	if e.sessionStatus(ss[0].access) != 401 {
		t.Fatal("oldest family's access still works")
	}
	for _, s := range ss[1:] {
		e.mustRotate(s)
	}
	e.mustRotate(e.signIn("user-0002")) // other users unaffected
	if st := e.srv.Stats(); st.FamiliesRevoked != 1 || st.ActiveFamilies != 6 {
		t.Fatalf("stats %+v", st)
	}
	// A cap of 1 via Config.
	e = newEnv(t, "strict", func(c *Config) { c.FamilyCap = 1 })
	a, b := e.signIn("user-0001"), e.signIn("user-0001")
	expect(t, "cap 1", e.refresh(a.refresh, a.csrf), 401, ErrInvalidSession)
	e.mustRotate(b)
}

func TestExpiry(t *testing.T) {
	e := newEnv(t, "grace=10s", func(c *Config) { c.AccessTTL = time.Minute; c.RefreshTTL = time.Hour })
	s := e.signIn("user-0001")
	e.clock.Advance(59 * time.Minute)
	s = e.mustRotate(s)
	e.clock.Advance(59 * time.Second)
	if e.sessionStatus(s.access) != 200 {
		t.Fatal("access expired early")
	}
	e.clock.Advance(2 * time.Second) // past the family's absolute lifetime
	expect(t, "expired", e.refresh(s.refresh, s.csrf), 401, ErrInvalidSession)
	if e.sessionStatus(s.access) != 401 {
		t.Fatal("access outlived family")
	}
	// Access TTL alone.
	s = e.signIn("user-0002")
	e.clock.Advance(time.Minute)
	if e.sessionStatus(s.access) != 401 {
		t.Fatal("access outlived its TTL")
	}
	e.mustRotate(s)
}

func TestStartClose(t *testing.T) {
	run, err := Start("127.0.0.1:0", Config{Policy: mustPolicy(t, "strict"), Users: DemoUsers(1)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(run.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %q", run.URL)
	}
	resp, err := http.Post(run.URL+PathSignIn, "application/json", strings.NewReader(`{"identifier":"user-0001","password":"pw-user-0001"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || run.Server.Stats().SignIns != 1 {
		t.Fatalf("sign-in via Start: %d", resp.StatusCode)
	}
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	if err := run.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	if _, err := http.Get(run.URL + PathSession); err == nil {
		t.Fatal("server still answering after Close")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	users := DemoUsers(1)
	for name, cfg := range map[string]Config{
		"no users":         {},
		"negative cap":     {Users: users, FamilyCap: -1},
		"negative ttl":     {Users: users, AccessTTL: -time.Second},
		"negative grace":   {Users: users, Policy: Policy{Grace: -time.Second}},
		"bad dup":          {Users: users, Policy: Policy{Grace: time.Second, Dup: 9}},
		"unknown defect":   {Users: users, Policy: Policy{Defects: 1}},
		"ancestor, strict": {Users: users, Policy: Policy{Defects: DefectGraceAnyAncestor}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestDemoUsers(t *testing.T) {
	u := DemoUsers(12)
	if len(u) != 12 || u["user-0001"] != "pw-user-0001" || u["user-0012"] != "pw-user-0012" {
		t.Fatalf("DemoUsers: %v", u)
	}
	if accessTextLen != b64.EncodedLen(accessRawLen) || refreshTextLen != b64.EncodedLen(refreshRawLen) {
		t.Fatal("token length constants out of date")
	}
}

// flipFirst changes the first character of s.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
