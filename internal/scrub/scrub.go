// Package scrub makes text from a target or a Go error safe to write: it
// removes every secret the harness holds, header lines and control bytes,
// and bounds the length.
package scrub

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Mask replaces a removed secret.
const Mask = "[redacted]"

// MaxLen bounds a scrubbed text in bytes.
const MaxLen = 200

// minSecret is the shortest value registered: shorter ones would mask
// ordinary words.
const minSecret = 4

// tokenRun is the shortest run of token characters (letters, digits,
// -_.+/=~ with at least one digit and one letter) masked even when the
// harness does not know it: every token a server issues looks like this,
// and the harness cannot list the tokens of sessions it no longer holds.
const tokenRun = 20

// registry holds the secrets that live for the whole process: passwords,
// client secrets, configured header values, imported cookies. Session
// tokens change on every rotation and are passed per call instead.
var registry struct {
	sync.RWMutex
	byPrefix map[string][]string // first minSecret bytes -> secrets
}

// Register adds secrets every later Text call removes.
func Register(secrets ...string) {
	registry.Lock()
	defer registry.Unlock()
	if registry.byPrefix == nil {
		registry.byPrefix = make(map[string][]string)
	}
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		k := s[:minSecret]
		if !contains(registry.byPrefix[k], s) {
			registry.byPrefix[k] = append(registry.byPrefix[k], s)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// maxInput bounds the work on a huge text; anything past it would be cut
// by MaxLen anyway (a secret straddling the cut cannot survive it).
const maxInput = 8 << 10

// Message is Text for a one-line CLI error: the same scrubbing, a
// longer bound (usage errors name files and flags).
func Message(s string) string { return boundTo(scrubAll(s, nil), 1000) }

// Text returns s without any registered secret or any of extra (the
// session's own tokens and CSRF value), without header lines (a line
// naming a cookie, authorization or token header is cut from its colon),
// with control bytes and invalid UTF-8 replaced, at most MaxLen bytes.
func Text(s string, extra ...string) string {
	return boundTo(scrubAll(s, extra), MaxLen)
}

func scrubAll(s string, extra []string) string {
	if s == "" {
		return s
	}
	if len(s) > maxInput {
		s = s[:maxInput]
	}
	for _, x := range extra {
		if len(x) >= minSecret {
			s = strings.ReplaceAll(s, x, Mask)
		}
	}
	s = maskRegistered(s)
	s = cutHeaderLines(s)
	s = maskTokenRuns(s)
	return cleanBytes(s)
}

// Error is Text of err's message; "" for nil.
func Error(err error, extra ...string) string {
	if err == nil {
		return ""
	}
	return Text(err.Error(), extra...)
}

func maskRegistered(s string) string {
	registry.RLock()
	defer registry.RUnlock()
	if len(registry.byPrefix) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i+minSecret <= len(s); {
		cands := registry.byPrefix[s[i:i+minSecret]]
		hit := ""
		for _, c := range cands {
			if strings.HasPrefix(s[i:], c) && len(c) > len(hit) {
				hit = c
			}
		}
		if hit == "" {
			i++
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(Mask)
		i += len(hit)
		last = i
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// sensitiveHeaders are header names whose value is cut wherever they
// appear as "Name: value" (Go's transport quotes malformed header lines).
var sensitiveHeaders = []string{"set-cookie", "cookie", "authorization", "x-csrf", "x-xsrf", "csrf", "token", "secret", "password", "api-key"}

func cutHeaderLines(s string) string {
	lower := strings.ToLower(s)
	cut := len(s)
	for _, h := range sensitiveHeaders {
		for from := 0; ; {
			i := strings.Index(lower[from:], h)
			if i < 0 {
				break
			}
			j := from + i + len(h)
			// skip the rest of a header name, then expect ':'
			k := j
			for k < len(lower) && (isNameByte(lower[k])) {
				k++
			}
			if k < len(lower) && lower[k] == ':' && k+1 < cut {
				cut = k + 1
			}
			from = j
		}
	}
	if cut == len(s) {
		return s
	}
	return s[:cut] + " " + Mask
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

func isTokenByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return c == '-' || c == '_' || c == '.' || c == '+' || c == '/' || c == '=' || c == '~' || c == '%'
}

func maskTokenRuns(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isTokenByte(s[i]) {
			i++
			continue
		}
		j := i
		digit, letter := false, false
		for j < len(s) && isTokenByte(s[j]) {
			c := s[j]
			digit = digit || (c >= '0' && c <= '9')
			letter = letter || (c|0x20 >= 'a' && c|0x20 <= 'z')
			j++
		}
		if j-i >= tokenRun && digit && letter && !looksLikePath(s[i:j]) {
			b.WriteString(s[last:i])
			b.WriteString(Mask)
			last = j
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// looksLikePath keeps file and URL paths and dotted host names readable.
// Tokens with a '/' (standard base64) are left to the exact passes.
func looksLikePath(run string) bool {
	if strings.Contains(run, "/") {
		return true
	}
	if !strings.Contains(run, ".") {
		return false
	}
	for _, seg := range strings.FieldsFunc(run, func(r rune) bool { return r == '/' || r == '.' }) {
		if len(seg) >= 16 {
			return false
		}
	}
	return true
}

// cleanBytes replaces control bytes (NUL, CR, LF, ESC…) and invalid UTF-8
// with a space or '?', so the text stays one line and cannot drive a
// terminal.
func cleanBytes(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteByte('?')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte(' ')
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func boundTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
