package targets

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParseSetCookie: any header line parses without panic, the name and
// value come from the line, and a cookie problem is always a short text.
func FuzzParseSetCookie(f *testing.F) {
	for _, s := range []string{
		"__Host-refresh=abc; Path=/; Secure; HttpOnly; SameSite=Strict",
		"__Host-refresh=\"q\"; Max-Age=0",
		"r=x; Path=/api; Domain=evil.example",
		"__Host-access=v; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
		"=; ;;", "a=b\x00c; Secure", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c := parseSetCookie(line)
		if c.ok && (!strings.Contains(line, c.name) || !strings.Contains(line, c.value)) {
			t.Fatalf("name %q / value %q not from %q", c.name, c.value, line)
		}
		_ = c.clears(time.Now)
		if p := c.problem(); len(p) > 200+len(line) {
			t.Fatalf("problem of %d bytes", len(p))
		}
	})
}

// FuzzParseRefresh: any status, Set-Cookie and body give a reply without
// panic; a rejection never yields new tokens.
func FuzzParseRefresh(f *testing.F) {
	f.Add(200, "__Host-refresh=n; Path=/; Secure; HttpOnly", `{"ok":true,"refreshed":true,"session":{"session_family_id":"fam"}}`)
	f.Add(200, "__Host-refresh=n; Path=/; Secure; HttpOnly", `{"ok":false}`)
	f.Add(401, "", `{"error":"reuse_detected"}`)
	f.Add(200, "__Host-refresh=n", `<html>`)
	f.Add(200, "", `{"session":{"session_family_id":"a\"b"}}`)
	p, err := NewCookieProfile(CookieConfig{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, setCookie, body string) {
		h := http.Header{}
		if setCookie != "" {
			h["Set-Cookie"] = []string{setCookie}
		}
		r := p.ParseRefresh(status, h, []byte(body))
		if (status < 200 || status > 299) && (r.NewRefresh != "" || r.NewAccess != "") {
			t.Fatalf("status %d gave tokens", status)
		}
	})
}
