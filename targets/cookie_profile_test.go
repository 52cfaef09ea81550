package targets

import (
	"net/http"
	"testing"
)

func TestParseRefresh(t *testing.T) {
	p, err := NewCookieProfile(CookieConfig{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	good := http.Header{"Set-Cookie": {
		"__Host-access=acc2; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600",
		"__Host-refresh=ref2; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=86400",
	}}
	body := []byte(`{"ok":true,"action":"refresh","refreshed":true,"session":{"session_family_id":"fam1"}}`)
	r := p.ParseRefresh(200, good, body)
	if r.NewRefresh != "ref2" || r.NewAccess != "acc2" || r.FamilyID != "fam1" || r.CookieProblem != "" || r.Malformed != "" {
		t.Fatalf("%+v", r)
	}
	insecure := http.Header{"Set-Cookie": {"__Host-refresh=ref2; Path=/api; Domain=example.com"}}
	r = p.ParseRefresh(200, insecure, body)
	if r.CookieProblem != "__Host-refresh without Secure: browsers reject it outright (refresh cookie lacks Secure, HttpOnly, Path=/ and carries Domain=example.com)" {
		t.Fatalf("cookie problem %q", r.CookieProblem)
	}
	if r = p.ParseRefresh(200, good, []byte("<html>")); r.Malformed == "" {
		t.Fatal("HTML body accepted as a refresh success")
	}
	for _, b := range []string{`{"ok":false}`, `{"ok" : false, "session":{"session_family_id":"fam1"}}`, `{"refreshed": false,"session":{"session_family_id":"fam1"}}`} {
		if r = p.ParseRefresh(200, good, []byte(b)); r.Malformed == "" {
			t.Fatalf("%s accepted", b)
		}
	}
	for b, fam := range map[string]string{
		`{"ok":true,"session":{"session_family_id":"fa\"m"}}`:    `fa"m`,
		`{"ok":true,"session":{"session_family_id" : "spaced"}}`: "spaced",
		`{"ok":true,"session":{"session_family_id":"plain"}}`:    "plain",
	} {
		if r = p.ParseRefresh(200, good, []byte(b)); r.FamilyID != fam || r.Malformed != "" {
			t.Errorf("%s: family %q malformed %q, want %q", b, r.FamilyID, r.Malformed, fam)
		}
	}
	for body, code := range map[string]string{
		`{"error":"refresh_token_reused"}`:                    "refresh_token_reused",
		`{"error":"Unauthorized","message":"x","code":401}`:   "Unauthorized",
		`{"error":{"nested":true}}`:                           "",
		"Too Many Requests":                                   "",
		`{"error":"example_string","where":"a","reason":"b"}`: "example_string",
	} {
		if got := p.ParseRefresh(401, nil, []byte(body)).ErrorCode; got != code {
			t.Errorf("%s: code %q want %q", body, got, code)
		}
	}
	lax, _ := NewCookieProfile(CookieConfig{BaseURL: "http://x", AllowInsecureCookies: true})
	if r = lax.ParseRefresh(200, insecure, body); r.CookieProblem != "" || r.NewRefresh != "ref2" {
		t.Fatalf("allow-insecure: %+v", r)
	}
	if _, err := NewCookieProfile(CookieConfig{BaseURL: "ftp://x"}); err == nil {
		t.Fatal("ftp target accepted")
	}
}

func TestPoolLeasesEachSessionOnce(t *testing.T) {
	p, _ := NewCookieProfile(CookieConfig{BaseURL: "http://127.0.0.1:1"})
	pool := NewPool(3, p, NewFingerprinter())
	for _, s := range pool.Sessions() {
		s.Adopt(Family{ID: "f", Refresh: "r", Access: "a", CSRF: "c"}, "fp", nowForTest)
		pool.Release(s)
	}
	got := map[int]bool{}
	for range 3 {
		s := pool.TryLease()
		if s == nil || got[s.Index] {
			t.Fatalf("lease %v", s)
		}
		got[s.Index] = true
	}
	if pool.TryLease() != nil {
		t.Fatal("leased a fourth session out of three")
	}
	tgt := pool.Targeter(nil)
	var target vegetaTarget
	if err := tgt(&target); err != nil || target.Header.Get(SessionHeader) != DroppedSlot || pool.Dropped() != 1 {
		t.Fatalf("empty pool tick: %v %v dropped=%d", err, target.Header, pool.Dropped())
	}
}
