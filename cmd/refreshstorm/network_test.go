package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refreshstorm/refreshstorm/authserver"
)

// TestRunTLSWithGatewayHeader runs against the embedded server over TLS
// with a self-signed CA and a required header: without the CA and without
// the header the run cannot start (exit 3, naming why); with both and
// --http2 it passes over HTTP/2 and the header value is in no file.
func TestRunTLSWithGatewayHeader(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	tlsCfg, err := authserver.SelfSignedTLS(ca)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "k-9f3a-gateway-secret"
	users := authserver.DemoUsers(10)
	srv, err := authserver.StartWith("127.0.0.1:0", authserver.Config{Policy: authserver.Policy{}, Users: users},
		authserver.Listen{TLS: tlsCfg, RequireName: "X-Api-Key", RequireValue: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var csv strings.Builder
	for id, pw := range users {
		fmt.Fprintf(&csv, "%s,%s\n", id, pw)
	}
	creds := writeFile(t, "creds.csv", csv.String())
	base := []string{"run", "--target", srv.URL, "--credentials", creds, "--headless", "--allow-insecure-cookies",
		"--duration", "1s", "--rate", "40", "--sessions", "10"}
	run := func(extra ...string) (int, string) {
		out := filepath.Join(dir, fmt.Sprint("out", len(extra)))
		code, stdout, stderr := execCLI(t, context.Background(), append(append(base, "--out", out), extra...)...)
		return code, stdout + stderr
	}

	if code, log := run(); code != exitCannotRun || !strings.Contains(log, "unknown authority") {
		t.Fatalf("no CA: exit %d\n%s", code, log)
	}
	if code, log := run("--ca-cert", ca); code != exitCannotRun || !strings.Contains(log, "401") || !strings.Contains(log, "missing_api_key") {
		t.Fatalf("no header: exit %d\n%s", code, log)
	}
	code, log := run("--ca-cert", ca, "--header", "X-Api-Key: "+secret, "--http2")
	out := filepath.Join(dir, "out5")
	if !runPassed(t, code, out) { // not about the achieved rate
		t.Fatalf("CA+header+h2: exit %d\n%s", code, log)
	}
	doc := readSummary(t, out)
	protos := doc["config"].(map[string]any)["protocols"].(map[string]any)
	if protos["HTTP/2.0"] == nil || len(protos) != 1 {
		t.Fatalf("protocols %v, want only HTTP/2.0", protos)
	}
	if strings.Contains(log, secret) {
		t.Fatal("header value in the output")
	}
	err = filepath.Walk(out, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(data), secret) {
			t.Errorf("header value in %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
