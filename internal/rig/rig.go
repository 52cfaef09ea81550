// Package rig sets up what tests and benchmarks of the harness run
// against: the embedded authserver on 127.0.0.1 and a pool of sessions
// signed in to it over real HTTP.
package rig

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/targets"
)

// Authserver starts the reference server with serverPolicy and n demo
// users on a loopback port; it stops when the test ends.
func Authserver(tb testing.TB, serverPolicy string, users int) (*authserver.Running, []targets.Credential) {
	tb.Helper()
	sp, err := authserver.ParsePolicy(serverPolicy)
	if err != nil {
		tb.Fatal(err)
	}
	demo := authserver.DemoUsers(users)
	srv, err := authserver.Start("127.0.0.1:0", authserver.Config{Policy: sp, Users: demo})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	creds := make([]targets.Credential, 0, users)
	for i := 1; i <= users; i++ {
		id := fmt.Sprintf("user-%04d", i)
		creds = append(creds, targets.Credential{Identifier: id, Password: demo[id]})
	}
	return srv, creds
}

// SignedInPool makes a pool of n sessions against baseURL and signs each
// in with creds (one family per user).
func SignedInPool(tb testing.TB, baseURL string, n int, creds []targets.Credential, rt http.RoundTripper) *targets.Pool {
	tb.Helper()
	profile, err := targets.NewCookieProfile(targets.CookieConfig{BaseURL: baseURL})
	if err != nil {
		tb.Fatal(err)
	}
	pool := targets.NewPool(n, profile, targets.NewFingerprinter())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pool.SignInAll(ctx, &http.Client{Transport: rt}, creds, 1, targets.BootstrapOptions{}); err != nil {
		tb.Fatal(err)
	}
	return pool
}
