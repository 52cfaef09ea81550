package main

import (
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"

	"github.com/refreshstorm/refreshstorm/targets"
)

// checkProfile validates the scenario's profile names before the first
// request: a path that is not a path would be glued to the port
// (`refresh_path: 5` → http://host:80805), and a cookie or header name
// with a separator in it would be sent as two. Empty values take the
// profile's defaults. Errors name the YAML key.
func checkProfile(c targets.CookieConfig) error {
	paths := []struct{ key, v string }{
		{"sign_in_path", c.SignInPath}, {"csrf_path", c.CSRFPath},
		{"refresh_path", c.RefreshPath}, {"session_path", c.SessionPath},
	}
	for _, p := range paths {
		if p.v == "" {
			continue
		}
		u, err := url.ParseRequestURI(p.v)
		if !strings.HasPrefix(p.v, "/") || strings.ContainsFunc(p.v, notURLByte) || strings.HasPrefix(p.v, "//") || err != nil || u.Host != "" || u.Fragment != "" {
			return usageError("profile.%s %q: want an absolute path like /api/auth/refresh", p.key, truncate(p.v, 60))
		}
	}
	cookies := []struct{ key, v string }{{"refresh_cookie", c.RefreshCookie}, {"access_cookie", c.AccessCookie}}
	for _, n := range cookies {
		// A cookie name is an HTTP token, the same grammar as a header name.
		if n.v != "" && !httpguts.ValidHeaderFieldName(n.v) {
			return usageError("profile.%s %q: want a cookie name (letters, digits and !#$%%&'*+-.^_`|~; no spaces, ';', '=' or quotes)", n.key, truncate(n.v, 60))
		}
	}
	if c.CSRFHeader != "" && !httpguts.ValidHeaderFieldName(c.CSRFHeader) {
		return usageError("profile.csrf_header %q: want a header name (letters, digits and !#$%%&'*+-.^_`|~; no spaces or ':')", truncate(c.CSRFHeader, 60))
	}
	return nil
}

// notURLByte is a character a request target cannot hold unescaped.
func notURLByte(r rune) bool { return r <= ' ' || r == 0x7f || r == '"' || r == '<' || r == '>' }
