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

// Profiles are the profile kinds the embedded authserver speaks.
var Profiles = []string{targets.KindCookie, targets.KindOAuth2, targets.KindJSON}

// EmbeddedProfile is the configuration of profile kind for the embedded
// authserver: its demo client and the endpoints that check access tokens.
func EmbeddedProfile(kind string) targets.ProfileConfig {
	cfg := targets.ProfileConfig{Kind: kind}
	switch kind {
	case targets.KindOAuth2:
		cfg.ClientID, cfg.ClientSecret = authserver.DemoClientID, authserver.DemoClientSecret
		cfg.IntrospectionURL = authserver.PathIntrospect
	case targets.KindJSON:
		cfg.AccessCheckURL = authserver.PathJSONMe
	}
	return cfg
}

// Profile builds profile kind for the embedded authserver at baseURL.
func Profile(tb testing.TB, kind, baseURL string) targets.Profile {
	tb.Helper()
	p, err := targets.NewProfile(EmbeddedProfile(kind), baseURL)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// SignedInPool makes a pool of n cookie sessions against baseURL and
// signs each in with creds (one family per user).
func SignedInPool(tb testing.TB, baseURL string, n int, creds []targets.Credential, rt http.RoundTripper) *targets.Pool {
	tb.Helper()
	return SignedInPoolOf(tb, Profile(tb, targets.KindCookie, baseURL), n, creds, rt)
}

// SignedInPoolOf is SignedInPool for any profile.
func SignedInPoolOf(tb testing.TB, profile targets.Profile, n int, creds []targets.Credential, rt http.RoundTripper) *targets.Pool {
	tb.Helper()
	pool := targets.NewPool(n, profile, targets.NewFingerprinter())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pool.SignInAll(ctx, &http.Client{Transport: rt}, creds, 1, targets.BootstrapOptions{}); err != nil {
		tb.Fatal(err)
	}
	return pool
}
