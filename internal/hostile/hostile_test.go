package hostile

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func signIn(t *testing.T, c *http.Client, s *Server) (*http.Response, error) {
	t.Helper()
	body := `{"identifier":"user-0001","password":"` + s.Users["user-0001"] + `"}`
	return c.Post(s.URL+string(SignIn), "application/json", strings.NewReader(body))
}

// TestModesMisbehaveOverLoopback: each mode, applied to sign-in, answers
// a real client as it says; the counters see it.
func TestModesMisbehaveOverLoopback(t *testing.T) {
	cases := []struct {
		mode  Mode
		check func(t *testing.T, resp *http.Response, err error, s *Server)
	}{
		{None, func(t *testing.T, resp *http.Response, err error, s *Server) {
			if err != nil || resp.StatusCode != http.StatusOK || len(resp.Header["Set-Cookie"]) == 0 {
				t.Fatalf("a good sign-in: %v %v", resp, err)
			}
		}},
		{Throttle, func(t *testing.T, resp *http.Response, err error, s *Server) {
			if err != nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
				t.Fatalf("throttle: %v %v", resp, err)
			}
		}},
		{AbsurdRetryAfter, func(t *testing.T, resp *http.Response, err error, s *Server) {
			if err != nil || resp.Header.Get("Retry-After") != "999999" {
				t.Fatalf("absurd-retry-after: %v %v", resp, err)
			}
		}},
		{Redirect, func(t *testing.T, resp *http.Response, err error, s *Server) {
			if err != nil || resp.StatusCode != http.StatusTemporaryRedirect {
				t.Fatalf("redirect: %v %v", resp, err)
			}
		}},
		{EndlessBody, func(t *testing.T, resp *http.Response, err error, s *Server) {
			if err != nil {
				t.Fatal(err)
			}
			// 4 MB come and the body has not ended; hanging up stops it.
			if n, err := io.CopyN(io.Discard, resp.Body, 4<<20); n != 4<<20 || err != nil {
				t.Fatalf("endless body ended after %d bytes: %v", n, err)
			}
		}},
		{EndlessHeader, func(t *testing.T, resp *http.Response, err error, s *Server) {
			if err == nil || !strings.Contains(err.Error(), "exceeded") {
				t.Fatalf("endless header: want the header limit to stop it, got %v %v", resp, err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(string(c.mode)+"-", func(t *testing.T) {
			s, err := Start(Options{Mode: c.mode, Step: SignIn})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tr := &http.Transport{MaxResponseHeaderBytes: 64 << 10}
			defer tr.CloseIdleConnections()
			cl := &http.Client{Transport: tr, Timeout: 10 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := signIn(t, cl, s)
			c.check(t, resp, err, s)
			if resp != nil {
				resp.Body.Close()
			}
			if s.Requests() == 0 && c.mode != EndlessHeader {
				t.Error("the request was not counted")
			}
			if c.mode == EndlessBody || c.mode == EndlessHeader {
				if n, b := s.Endless(); n != 1 || b == 0 {
					t.Errorf("endless answers %d, bytes %d", n, b)
				}
			}
		})
	}
}

// TestIdleClosedCountsOnlyServerCloses: a connection the server drops
// after its idle timeout is counted; one the client closes first is not.
func TestIdleClosedCountsOnlyServerCloses(t *testing.T) {
	for _, c := range []struct {
		name       string
		clientIdle time.Duration
		want       int64
	}{
		{"client keeps it", time.Minute, 1},
		{"client drops it first", 50 * time.Millisecond, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Start(Options{IdleTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tr := &http.Transport{IdleConnTimeout: c.clientIdle}
			defer tr.CloseIdleConnections()
			resp, err := signIn(t, &http.Client{Transport: tr, Timeout: 10 * time.Second}, s)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			// Bounded: well past the server's 300ms, on a slow machine too.
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && s.IdleClosed() < 1; {
				time.Sleep(50 * time.Millisecond)
			}
			if got := s.IdleClosed(); got != c.want {
				t.Errorf("IdleClosed %d, want %d", got, c.want)
			}
		})
	}
}
