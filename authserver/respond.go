package authserver

import (
	"net/http"
	"sync"
	"time"
)

var (
	hdrJSON    = []string{"application/json"}
	hdrNoStore = []string{"no-store"}
)

// Error codes (the "error" field of error bodies).
const (
	ErrInvalidRequest     = "invalid_request"
	ErrInvalidCredentials = "invalid_credentials"
	ErrInvalidSession     = "invalid_or_expired_session"
	ErrCSRFRequired       = "csrf_required"
	ErrInvalidCSRF        = "invalid_csrf_token"
	ErrReused             = "refresh_token_reused"
	ErrMethodNotAllowed   = "method_not_allowed"
	ErrNotFound           = "not_found"
)

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) <= 4096 {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = hdrJSON
	h["Cache-Control"] = hdrNoStore
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, status int, code string) {
	bp := getBuf()
	b := append(*bp, `{"error":"`...)
	b = append(b, code...)
	b = append(b, `"}`...)
	writeJSON(w, status, b)
	*bp = b
	putBuf(bp)
}

// appendSession appends `"session":{...}`.
func appendSession(b []byte, famID string, accessExp, refreshExp int64) []byte {
	b = append(b, `"session":{"session_family_id":"`...)
	b = append(b, famID...)
	b = append(b, `","access_expires_at":"`...)
	b = time.Unix(0, accessExp).UTC().AppendFormat(b, time.RFC3339)
	b = append(b, `","refresh_expires_at":"`...)
	b = time.Unix(0, refreshExp).UTC().AppendFormat(b, time.RFC3339)
	return append(b, `"}`...)
}

// appendUser appends `"user":{"identifier":...}`.
func appendUser(b []byte, id string) []byte {
	b = append(b, `"user":{"identifier":`...)
	b = appendJSONString(b, id)
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
