package results

import (
	"net/http"
	"net/url"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Redacted replaces secret values in exported files.
const Redacted = "[redacted]"

// sensitiveName reports whether a header or query parameter name may carry a
// credential.
func sensitiveName(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"cookie", "csrf", "xsrf", "authorization", "token", "secret", "password", "session", "api-key", "apikey"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// redactSetCookie keeps a Set-Cookie's name and attributes (they matter when
// judging cookie attributes) and drops its value.
func redactSetCookie(v string) string {
	pair, attrs, _ := strings.Cut(v, ";")
	name, _, _ := strings.Cut(pair, "=")
	out := strings.TrimSpace(name) + "=" + Redacted
	if attrs != "" {
		out += ";" + attrs
	}
	return out
}

// redactHeaders copies h with every credential-like value redacted.
func redactHeaders(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		switch {
		case strings.EqualFold(k, "Set-Cookie"):
			red := make([]string, len(vs))
			for i, v := range vs {
				red[i] = redactSetCookie(v)
			}
			out[k] = red
		case sensitiveName(k):
			red := make([]string, len(vs))
			for i := range vs {
				red[i] = Redacted
			}
			out[k] = red
		default:
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}

// redactURL drops the values of credential-like query parameters and any
// userinfo.
func redactURL(raw string) string {
	if !strings.ContainsAny(raw, "?@") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Redacted
	}
	if u.User != nil {
		u.User = url.User(Redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if sensitiveName(k) || strings.EqualFold(k, "code") || strings.EqualFold(k, "key") {
				q[k] = []string{Redacted}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// redactResult returns a copy of r safe to export: no body, no cookie, CSRF
// or authorization values.
func redactResult(r *vegeta.Result) vegeta.Result {
	c := *r
	c.Body = nil
	c.Headers = redactHeaders(r.Headers)
	c.URL = redactURL(r.URL)
	if c.URL != r.URL && r.URL != "" {
		c.Error = strings.ReplaceAll(r.Error, r.URL, c.URL)
	}
	return c
}
