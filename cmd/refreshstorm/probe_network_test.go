package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/internal/rig"
)

// TestProbeReachesAGatewayedTLSTarget probes a TLS server behind a
// required header, known only by a name --resolve pins to loopback:
// without the header the probe cannot sign in (exit 3); with it, the CA
// and --resolve it runs every trial, and the key is printed nowhere.
func TestProbeReachesAGatewayedTLSTarget(t *testing.T) {
	ca := rig.NewCA(t, "probe test CA")
	const name, key = "auth.staging.test", "probe-gateway-key-77"
	cert := ca.Server(t, []string{name}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	users := authserver.DemoUsers(4)
	strict, err := authserver.ParsePolicy("strict")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.StartWith("127.0.0.1:0", authserver.Config{Policy: strict, Users: users},
		authserver.Listen{TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
			RequireName: "X-Api-Key", RequireValue: key})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	var csv strings.Builder
	for id, pw := range users {
		fmt.Fprintf(&csv, "%s,%s\n", id, pw)
	}
	base := []string{"--target", "https://" + net.JoinHostPort(name, port), "--credentials", probeCredsFile(t, csv.String()),
		"--ca-cert", ca.File, "--resolve", name + ":" + port + ":127.0.0.1", "--allow-insecure-cookies", "--max-delay", "500ms", "--rounds", "1"}

	if code, out, stderr := probeExec(t, base...); code != exitCannotRun || !strings.Contains(stderr, "missing_api_key") {
		t.Fatalf("without the header: exit %d, want 3 naming missing_api_key\n%s\n%s", code, out, stderr)
	}
	code, out, stderr := probeExec(t, append(base, "--header", "X-Api-Key: "+key)...)
	if code != exitPass || !strings.Contains(out, "verdict: PASS") {
		t.Fatalf("with the header: exit %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(out+stderr, key) {
		t.Error("the gateway key was printed")
	}
}
