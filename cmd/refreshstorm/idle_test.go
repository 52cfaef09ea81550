package main

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/hostile"
)

// TestIdleTimeoutBelowServerKeepAlive: against a server that drops idle
// keep-alive connections after 5 s (Node's default), the default
// --idle-timeout lets the client drop them first, so the server never
// closes a connection under it; the control run with --idle-timeout 1m
// shows that the server does otherwise. The five sign-ins open parallel
// connections that the 1/s load leaves idle.
func TestIdleTimeoutBelowServerKeepAlive(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 7 s")
	}
	var mu sync.Mutex
	closed := map[string]int64{}
	t.Run("runs", func(t *testing.T) {
		for _, c := range []struct {
			name string
			args []string
		}{
			{"default", nil},
			{"control 1m", []string{"--idle-timeout", "1m"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				srv, err := hostile.Start(hostile.Options{IdleTimeout: 5 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				defer srv.Close()
				args := append([]string{"run", "--headless", "--target", srv.URL,
					"--credentials", writeFile(t, "users.csv", srv.CredentialsCSV()),
					"--sessions", "5", "--rate", "1", "--duration", "7s", "--out", filepath.Join(t.TempDir(), "r")}, c.args...)
				code, stdout, stderr := execCLI(t, context.Background(), args...)
				if code != exitPass {
					t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
				}
				n := srv.IdleClosed()
				t.Logf("%s: the server closed %d idle connections the client held", c.name, n)
				mu.Lock()
				closed[c.name] = n
				mu.Unlock()
			})
		}
	})
	if closed["control 1m"] == 0 {
		t.Fatal("control run: the server closed no connection under the client; the test proves nothing")
	}
	if closed["default"] != 0 {
		t.Errorf("default --idle-timeout: the server closed %d connections under the client", closed["default"])
	}
}
