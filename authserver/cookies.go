package authserver

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Cookie names (the protocol's defaults).
const (
	AccessCookie  = "__Host-access"
	RefreshCookie = "__Host-refresh"
	CSRFHeader    = "X-CSRF-Token"
)

var canonicalCSRFHeader = http.CanonicalHeaderKey(CSRFHeader)

// cookieValue returns the first value of the named cookie in the request,
// without parsing the others.
func cookieValue(r *http.Request, name string) string {
	for _, line := range r.Header["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimSpace(part)
			k, v, ok := strings.Cut(part, "=")
			if !ok || k != name {
				continue
			}
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return ""
}

// appendSetCookie appends a __Host- cookie: Secure, HttpOnly, Path=/,
// SameSite=Lax, no Domain, expiring at exp (unix ns). exp <= 0 clears it.
func appendSetCookie(b []byte, name, value string, exp, now int64) []byte {
	b = append(b, name...)
	b = append(b, '=')
	b = append(b, value...)
	b = append(b, "; Path=/; Expires="...)
	var maxAge int64
	if exp > 0 {
		maxAge = max((exp-now+int64(time.Second)-1)/int64(time.Second), 1)
		b = time.Unix(0, exp).UTC().AppendFormat(b, http.TimeFormat)
	} else {
		b = append(b, "Thu, 01 Jan 1970 00:00:00 GMT"...)
	}
	b = append(b, "; Max-Age="...)
	b = strconv.AppendInt(b, maxAge, 10)
	return append(b, "; HttpOnly; Secure; SameSite=Lax"...)
}

// setSessionCookies sets both cookies; pass empty values and zero expiries
// to clear them.
func setSessionCookies(w http.ResponseWriter, access string, accessExp int64, refresh string, refreshExp, now int64) {
	var buf [512]byte
	b := appendSetCookie(buf[:0], AccessCookie, access, accessExp, now)
	n := len(b)
	b = appendSetCookie(b, RefreshCookie, refresh, refreshExp, now)
	all := string(b)
	w.Header()["Set-Cookie"] = []string{all[:n], all[n:]}
}
