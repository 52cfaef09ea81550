package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/internal/rig"
)

// tlsTarget serves the embedded authserver over TLS with cfg and returns
// its port and a credentials file for its users.
func tlsTarget(t *testing.T, cfg *tls.Config) (port, creds string) {
	t.Helper()
	users := authserver.DemoUsers(10)
	srv, err := authserver.StartWith("127.0.0.1:0", authserver.Config{Users: users}, authserver.Listen{TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	var csv strings.Builder
	for id, pw := range users {
		fmt.Fprintf(&csv, "%s,%s\n", id, pw)
	}
	_, port, _ = net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	return port, writeFile(t, "creds.csv", csv.String())
}

func shortRun(t *testing.T, target, creds string, extra ...string) (int, string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	args := append([]string{"run", "--target", target, "--credentials", creds, "--headless", "--allow-insecure-cookies",
		"--duration", "1s", "--rate", "30", "--sessions", "10", "--out", out}, extra...)
	code, stdout, stderr := execCLI(t, context.Background(), args...)
	return code, stdout + stderr, out
}

// TestRunNamesTLSProblems uses certificates made in the test: a server
// that wants a client certificate, known only as auth.staging.test. It is
// reached by IP (name mismatch), by name through --resolve without and
// with a client certificate; and an expired certificate is named too.
func TestRunNamesTLSProblems(t *testing.T) {
	ca := rig.NewCA(t, "staging test CA")
	const name = "auth.staging.test"
	now := time.Now()
	port, creds := tlsTarget(t, &tls.Config{
		Certificates: []tls.Certificate{ca.Server(t, []string{name}, now.Add(-time.Hour), now.Add(time.Hour))},
		ClientAuth:   tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool(), MinVersion: tls.VersionTLS12,
	})
	clientCert, clientKey := ca.ClientFiles(t, "harness")
	byName := "https://" + net.JoinHostPort(name, port)
	resolve := fmt.Sprintf("%s:%s:127.0.0.1", name, port)

	code, log, _ := shortRun(t, "https://127.0.0.1:"+port, creds, "--ca-cert", ca.File, "--client-cert", clientCert, "--client-key", clientKey)
	if code != exitCannotRun || !strings.Contains(log, "certificate name mismatch") {
		t.Fatalf("by IP: exit %d, want 3 naming the mismatch\n%s", code, log)
	}
	code, log, _ = shortRun(t, byName, creds, "--ca-cert", ca.File, "--resolve", resolve)
	if code != exitCannotRun || !strings.Contains(log, "client certificate") {
		t.Fatalf("mTLS without a certificate: exit %d, want 3 naming the client certificate\n%s", code, log)
	}
	code, log, out := shortRun(t, byName, creds, "--ca-cert", ca.File, "--resolve", resolve,
		"--client-cert", clientCert, "--client-key", clientKey,
		"--max-conns-per-host", "4", "--keepalive=false", "--connect-timeout", "2s", "--rate", "10")
	if !runPassed(t, code, out) { // TLS is the point, not the achieved rate
		t.Fatalf("--resolve with a client certificate: exit %d\n%s", code, log)
	}
	cfg := readSummary(t, out)["config"].(map[string]any)
	if cfg["keepalive"] != false || cfg["max_conns_per_host"] != float64(4) || cfg["connect_timeout"] != "2s" {
		t.Errorf("config echo: keepalive %v max_conns_per_host %v connect_timeout %v", cfg["keepalive"], cfg["max_conns_per_host"], cfg["connect_timeout"])
	}

	expired := ca.Server(t, []string{"127.0.0.1"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	port, creds = tlsTarget(t, &tls.Config{Certificates: []tls.Certificate{expired}, MinVersion: tls.VersionTLS12})
	code, log, _ = shortRun(t, "https://127.0.0.1:"+port, creds, "--ca-cert", ca.File)
	if code != exitCannotRun || !strings.Contains(log, "certificate expired") {
		t.Fatalf("expired: exit %d, want 3 naming the expiry\n%s", code, log)
	}
}

// TestRunThroughProxy sends a run through a forward proxy on loopback
// given with --proxy; a malformed --proxy is a usage error.
func TestRunThroughProxy(t *testing.T) {
	srv, users := rig.Authserver(t, "strict", 10)
	var csv strings.Builder
	for _, c := range users {
		fmt.Fprintf(&csv, "%s,%s\n", c.Identifier, c.Password)
	}
	creds := writeFile(t, "creds.csv", csv.String())
	var proxied atomic.Int64
	forward := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { proxied.Add(1) }}
	proxy := &http.Server{Handler: forward, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go proxy.Serve(ln)
	t.Cleanup(func() { proxy.Close() })

	code, log, out := shortRun(t, srv.URL, creds, "--proxy", "http://"+ln.Addr().String())
	if !runPassed(t, code, out) || proxied.Load() < 30 {
		t.Fatalf("through the proxy: exit %d, %d requests proxied\n%s", code, proxied.Load(), log)
	}
	if code, log, _ := shortRun(t, srv.URL, creds, "--proxy", "ftp://nowhere"); code != exitUsage || !strings.Contains(log, "--proxy") {
		t.Fatalf("bad --proxy: exit %d\n%s", code, log)
	}
	if code, log, _ := shortRun(t, srv.URL, creds, "--proxy", "http://"+ln.Addr().String(), "--chaos", "net-reset=0.1"); code != exitUsage || !strings.Contains(log, "--proxy") {
		t.Fatalf("--proxy with net chaos: exit %d\n%s", code, log)
	}
}
