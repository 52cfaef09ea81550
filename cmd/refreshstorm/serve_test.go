package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// --write-credentials appears whole and only once the server listens, so
// a script that waits for the file can start run at once.
func TestServeWritesCredentialsOnceListening(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	path := filepath.Join(t.TempDir(), "users.csv")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		code, _, _ := execCLI(t, ctx, "serve", "--addr", addr, "--demo-users", "300", "--write-credentials", path)
		done <- code
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve ended with %d before writing %s", code, path)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("no credentials file after 30s")
		}
	}
	// The file exists: the server already answers, and the file is whole.
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Errorf("credentials written before the server listens: %v", err)
	} else {
		resp.Body.Close()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n"); lines != 301 {
		t.Errorf("%d lines, want a header and 300 users", lines)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v: want 0600 (passwords)", fi.Mode().Perm())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exit %d after cancel", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".users.csv.*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
