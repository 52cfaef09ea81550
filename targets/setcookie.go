package targets

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// setCookie is the part of a Set-Cookie line the harness checks. Parsing
// it by hand avoids net/http.ParseSetCookie's allocations on every
// response; the fields are substrings of the line.
type setCookie struct {
	name, value                     string
	secure, httpOnly                bool
	path, domain, sameSite, expires string
	maxAge                          int
	hasMaxAge, ok                   bool
}

// parseSetCookie reads one Set-Cookie header value (RFC 6265 §5.2).
func parseSetCookie(line string) setCookie {
	var c setCookie
	pair, attrs, _ := strings.Cut(line, ";")
	name, value, found := strings.Cut(pair, "=")
	c.name = strings.TrimSpace(name)
	if !found || c.name == "" {
		return c
	}
	value = strings.TrimSpace(value)
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	c.value, c.ok = value, true
	for attrs != "" {
		var attr string
		attr, attrs, _ = strings.Cut(attrs, ";")
		key, val, _ := strings.Cut(attr, "=")
		key = strings.TrimSpace(key)
		if key == "" {
			continue
		}
		// Dispatch on the first letter so each attribute costs one
		// case-insensitive compare.
		switch key[0] | 0x20 {
		case 's':
			if strings.EqualFold(key, "secure") {
				c.secure = true
			} else if strings.EqualFold(key, "samesite") {
				c.sameSite = strings.TrimSpace(val)
			}
		case 'h':
			c.httpOnly = c.httpOnly || strings.EqualFold(key, "httponly")
		case 'p':
			if strings.EqualFold(key, "path") {
				c.path = strings.TrimSpace(val)
			}
		case 'd':
			if strings.EqualFold(key, "domain") {
				c.domain = strings.TrimSpace(val)
			}
		case 'm':
			if strings.EqualFold(key, "max-age") {
				if n, err := strconv.Atoi(strings.TrimSpace(val)); err == nil {
					c.maxAge, c.hasMaxAge = n, true
				}
			}
		case 'e':
			if strings.EqualFold(key, "expires") {
				c.expires = strings.TrimSpace(val)
			}
		}
	}
	return c
}

// clears reports whether the cookie deletes rather than sets a value;
// the clock is read only for an Expires attribute without Max-Age.
func (c setCookie) clears(now func() time.Time) bool {
	switch {
	case c.value == "":
		return true
	case c.hasMaxAge:
		return c.maxAge <= 0
	case c.expires != "":
		t, err := http.ParseTime(c.expires)
		return err == nil && !t.After(now())
	}
	return false
}

// problem names what is wrong for a __Host- refresh cookie: it must be
// Secure, Path=/ and carry no Domain, and a refresh token must be HttpOnly.
func (c setCookie) problem() string { return c.problemAs("refresh cookie", true) }

// problemAs is problem for a cookie called label; HttpOnly is required
// only of the refresh token. A __Host- cookie without Secure comes first
// and is named as what it is: browsers drop it, whatever the rest.
func (c setCookie) problemAs(label string, needHTTPOnly bool) string {
	var missing []string
	if !c.secure {
		missing = append(missing, "Secure")
	}
	if !c.httpOnly && needHTTPOnly {
		missing = append(missing, "HttpOnly")
	}
	if c.path != "/" {
		missing = append(missing, "Path=/")
	}
	var msg string
	switch {
	case c.domain != "" && len(missing) > 0:
		msg = label + " lacks " + strings.Join(missing, ", ") + " and carries Domain=" + c.domain
	case c.domain != "":
		msg = label + " carries Domain=" + c.domain
	case len(missing) > 0:
		msg = label + " lacks " + strings.Join(missing, ", ")
	}
	if !c.secure && strings.HasPrefix(c.name, "__Host-") {
		return c.name + " without Secure: browsers reject it outright (" + msg + ")"
	}
	return msg
}
