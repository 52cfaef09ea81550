package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/authserver"
)

// faultyTarget serves the reference protocol through a wrapper that
// misbehaves in one way; it returns the URL and a credentials file.
func faultyTarget(t *testing.T, users int, wrap func(http.Handler) http.Handler) (string, string) {
	t.Helper()
	policy, _ := authserver.ParsePolicy("strict")
	demo := authserver.DemoUsers(users)
	srv, err := authserver.New(authserver.Config{Policy: policy, Users: demo})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(wrap(srv))
	t.Cleanup(ts.Close)
	var csv strings.Builder
	for i := 1; i <= users; i++ {
		id := fmt.Sprintf("user-%04d", i)
		fmt.Fprintf(&csv, "%s,%s\n", id, demo[id])
	}
	return ts.URL, writeFile(t, "users.csv", csv.String())
}

func runAgainst(t *testing.T, url, creds string, extra ...string) (int, string, string, map[string]any) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r")
	args := append([]string{"run", "--headless", "--target", url, "--credentials", creds,
		"--sessions", "5", "--rate", "50", "--duration", "1s", "--out", out}, extra...)
	code, stdout, stderr := execCLI(t, context.Background(), args...)
	// These runs are about the target's faults, not the achieved rate: one
	// that fell short of it on a busy machine, and of nothing else, passed.
	if runPassed(t, code, out) {
		code = exitPass
	}
	var doc map[string]any
	if code == exitPass || code == exitFailed {
		doc = readSummary(t, out)
	}
	return code, stdout, stderr, doc
}

func outcome(doc map[string]any, name string) float64 {
	return doc["outcomes"].(map[string]any)[name].(float64)
}

// A server that drops Secure and HttpOnly from its cookies fails the run
// with fail_cookie_attrs, unless the user allows insecure cookies.
func TestInsecureCookiesAreCaught(t *testing.T) {
	url, creds := faultyTarget(t, 5, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				if k == "Set-Cookie" {
					for i := range v {
						v[i] = strings.NewReplacer("; Secure", "", "; HttpOnly", "").Replace(v[i])
					}
				}
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})
	})
	code, _, _, doc := runAgainst(t, url, creds)
	if code != exitFailed || outcome(doc, "fail_cookie_attrs") == 0 {
		t.Fatalf("exit %d, fail_cookie_attrs %v", code, doc["outcomes"])
	}
	if code, _, _, doc = runAgainst(t, url, creds, "--allow-insecure-cookies"); code != exitPass {
		t.Fatalf("with --allow-insecure-cookies: exit %d %v", code, doc["outcomes"])
	}
}

// A target that answers HTML instead of the protocol cannot be bootstrapped:
// exit 3 with a one-line reason.
func TestMalformedSignInExit3(t *testing.T) {
	url, creds := faultyTarget(t, 5, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>maintenance</html>"))
		})
	})
	code, _, stderr, _ := runAgainst(t, url, creds)
	if code != exitCannotRun || !strings.Contains(stderr, "sign-in: 200 without a __Host-refresh cookie") || strings.Count(strings.TrimSpace(stderr), "\n") > 3 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// Throttled sign-ins are retried after Retry-After.
func TestBootstrapHonoursRetryAfter(t *testing.T) {
	var throttled atomic.Int32
	url, creds := faultyTarget(t, 5, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/auth/sign-in" && throttled.Add(1) <= 3 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte("slow down"))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	start := time.Now()
	code, stdout, stderr, _ := runAgainst(t, url, creds)
	if code != exitPass {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if time.Since(start) < 2*time.Second {
		t.Fatalf("run took %s: Retry-After of 1s before a 1s run was not honoured", time.Since(start))
	}
}

// A target that stops answering refreshes makes the run fail on the
// undecided-requests threshold: a run whose target died does not pass.
func TestHangingTargetFailsTheRun(t *testing.T) {
	url, creds := faultyTarget(t, 5, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/auth/refresh" {
				select {
				case <-time.After(2 * time.Second):
				case <-r.Context().Done():
				}
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	code, _, _, doc := runAgainst(t, url, creds, "--timeout", "200ms")
	if code != exitFailed || outcome(doc, "timeout") == 0 {
		t.Fatalf("exit %d outcomes %v", code, doc["outcomes"])
	}
}
