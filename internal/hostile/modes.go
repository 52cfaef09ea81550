package hostile

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// Mode is one way of misbehaving.
type Mode string

const (
	None              Mode = ""
	SetCookieNUL      Mode = "setcookie-nul"       // a NUL byte inside the token cookie line
	DuplicateCookie   Mode = "duplicate-cookie"    // two different refresh cookies
	OversizedCookie   Mode = "oversized-cookie"    // a 16 KB cookie value
	InsecureHost      Mode = "insecure-host"       // __Host- cookie without Secure, Path=/api, Domain=evil.example
	NonJSON           Mode = "non-json"            // the right cookies, an HTML body
	HugeBody          Mode = "huge-body"           // 50 MB of body
	Trickle           Mode = "trickle"             // the body one byte every 200 ms
	Redirect          Mode = "redirect"            // 307 to another path
	ResetMidBody      Mode = "reset-mid-body"      // half the body, then a TCP reset
	CloseAfterHeaders Mode = "close-after-headers" // headers promising a body, then close
	Hang              Mode = "hang"                // reads the request, never answers
	Blackhole         Mode = "blackhole"           // accepts connections, never reads
	EchoSecrets       Mode = "echo-secrets"        // 401 whose body echoes cookies, CSRF and password
	AbsurdRetryAfter  Mode = "absurd-retry-after"  // 429 Retry-After: 999999
	Throttle          Mode = "throttle"            // 429 Retry-After: 1, always
	EndlessBody       Mode = "endless-body"        // a chunked body that never ends
	EndlessHeader     Mode = "endless-header"      // header lines that never end
)

func (m Mode) misbehave(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder, s *Server) {
	h := w.Header()
	switch m {
	case SetCookieNUL:
		lines := rec.Header()["Set-Cookie"]
		raw(w, rec, func(k string, v string) string {
			if k == "Set-Cookie" && len(lines) > 0 && v == lines[0] {
				return strings.Replace(v, ";", "\x00;", 1)
			}
			return v
		}, rec.Body.Bytes(), false)
	case DuplicateCookie:
		copyHeaders(h, rec)
		h.Add("Set-Cookie", "__Host-refresh=dup"+fmt.Sprint(time.Now().UnixNano())+"; Path=/; Secure; HttpOnly; SameSite=Strict")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	case OversizedCookie:
		copyHeaders(h, rec)
		h.Add("Set-Cookie", "__Host-refresh="+strings.Repeat("A1", 8<<10)+"; Path=/; Secure; HttpOnly")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	case InsecureHost:
		copyHeaders(h, rec)
		for i, v := range h["Set-Cookie"] {
			v = strings.NewReplacer("; Secure", "", "Path=/;", "Path=/api;").Replace(v)
			h["Set-Cookie"][i] = v + "; Domain=evil.example"
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	case NonJSON:
		copyHeaders(h, rec)
		h.Set("Content-Type", "text/html")
		w.WriteHeader(rec.Code)
		_, _ = w.Write([]byte("<html><body>maintenance</body></html>"))
	case HugeBody:
		copyHeaders(h, rec)
		w.WriteHeader(rec.Code)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for sent := 0; sent < 50<<20; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case Trickle:
		copyHeaders(h, rec)
		w.WriteHeader(rec.Code)
		for _, b := range rec.Body.Bytes() {
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-s.stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	case Redirect:
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	case ResetMidBody:
		raw(w, rec, nil, rec.Body.Bytes()[:rec.Body.Len()/2], true)
	case CloseAfterHeaders:
		raw(w, rec, nil, nil, false)
	case Hang:
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
	case EchoSecrets:
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		echo := fmt.Sprintf("bad credentials; Cookie: %s; csrf %s; body %s", r.Header.Get("Cookie"), r.Header.Get("X-CSRF-Token"), bodyOf(r))
		fmt.Fprintf(w, `{"error":%q}`, echo)
	case AbsurdRetryAfter:
		h.Set("Retry-After", "999999")
		w.WriteHeader(http.StatusTooManyRequests)
	case Throttle:
		h.Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	case EndlessBody:
		copyHeaders(h, rec)
		h.Del("Content-Length")
		w.WriteHeader(rec.Code)
		s.endless(w, bodyChunk, w.(http.Flusher).Flush)
	case EndlessHeader:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		if _, err := conn.Write([]byte("HTTP/1.1 200 OK\r\n")); err == nil {
			s.endless(conn, headerChunk, nil)
		}
	}
}

var (
	bodyChunk   = []byte(strings.Repeat("x", 64<<10))
	headerChunk = []byte(strings.Repeat("X-Filler: "+strings.Repeat("y", 1000)+"\r\n", 64))
)

// endlessLimit stops an endless answer to a client that never stops
// reading, so that a failing test ends.
const endlessLimit = 1 << 30

// endless writes chunk after chunk until a write fails (the client hung
// up), the server closes or endlessLimit is reached, counting the bytes.
func (s *Server) endless(w io.Writer, chunk []byte, flush func()) {
	s.endlessAnswers.Add(1)
	for sent := 0; sent < endlessLimit; sent += len(chunk) {
		select {
		case <-s.stop:
			return
		default:
		}
		n, err := w.Write(chunk)
		s.endlessBytes.Add(int64(n))
		if err != nil {
			return
		}
		if flush != nil {
			flush()
		}
	}
}

func bodyOf(r *http.Request) string {
	b := make([]byte, 4096)
	n, _ := r.Body.Read(b)
	return string(b[:n])
}

func copyHeaders(h http.Header, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		h[k] = append([]string(nil), v...)
	}
}

// raw writes the answer on the hijacked connection, which net/http would
// refuse to write (invalid bytes) or to cut short. Content-Length is the
// full body's, so a short body is a truncated one; reset closes with a RST.
func raw(w http.ResponseWriter, rec *httptest.ResponseRecorder, edit func(k, v string) string, body []byte, reset bool) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	for k, vs := range rec.Header() {
		for _, v := range vs {
			if edit != nil {
				v = edit(k, v)
			}
			fmt.Fprintf(buf, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(buf, "Content-Length: %d\r\n\r\n", rec.Body.Len())
	_, _ = buf.Write(body)
	_ = buf.Flush()
	if reset {
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	}
}
