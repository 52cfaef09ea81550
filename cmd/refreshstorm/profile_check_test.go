package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refreshstorm/refreshstorm/internal/hostile"
)

// TestBadProfileNamesStopBeforeTheFirstRequest: a profile path that is
// not a path, a cookie or header name with separators in it, and a
// malformed --header each exit 2 naming the key, and the target (a real
// server on loopback) sees no request at all.
func TestBadProfileNamesStopBeforeTheFirstRequest(t *testing.T) {
	srv, err := hostile.Start(hostile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	creds := writeFile(t, "users.csv", srv.CredentialsCSV())
	cases := []struct {
		yaml  string
		extra []string
		want  string
	}{
		{yaml: "profile:\n  refresh_path: 5\n", want: ":2: profile.refresh_path: want a string, got an integer"},
		{yaml: "profile:\n  refresh_path: \"5\"\n", want: `profile.refresh_path "5": want an absolute path`},
		{yaml: "profile:\n  sign_in_path: api/sign-in\n", want: "profile.sign_in_path"},
		{yaml: "profile:\n  csrf_path: //evil.example/x\n", want: "profile.csrf_path"},
		{yaml: "profile:\n  session_path: \"/a b\"\n", want: "profile.session_path"},
		{yaml: "profile:\n  refresh_cookie: \"rt;Path=/\"\n", want: `profile.refresh_cookie "rt;Path=/": want a cookie name`},
		{yaml: "profile:\n  access_cookie: \"a=b\"\n", want: "profile.access_cookie"},
		{yaml: "profile:\n  refresh_cookie: \"my token\"\n", want: "profile.refresh_cookie"},
		{yaml: "profile:\n  csrf_header: \"X-CSRF Token\"\n", want: "profile.csrf_header"},
		{yaml: "profile:\n  csrf_header: \"X-CSRF:\"\n", want: "profile.csrf_header"},
		{extra: []string{"--header", "X-Ok: 1", "--header", "Authorization Bearer sekrit-gateway-key"},
			want: "--header #2: want 'Name: value', found no colon (value not shown)"},
		{extra: []string{"--header", "X Api: sekrit-gateway-key"}, want: "--header #1: want 'Name: value', found a character not allowed"},
		{yaml: "headers:\n  - \"X-Key: sekrit\\r\\nX-Evil: 1\"\n", want: "--header #1: header X-Key: the value holds a control character"},
	}
	for _, c := range cases {
		args := []string{"run", "--headless", "--target", srv.URL, "--credentials", creds,
			"--sessions", "2", "--duration", "1s", "--out", filepath.Join(t.TempDir(), "r")}
		if c.yaml != "" {
			args = append(args, "--config", writeFile(t, "s.yaml", c.yaml))
		}
		code, _, stderr := execCLI(t, context.Background(), append(args, c.extra...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q %v: exit %d, stderr %q; want 2 and %q", c.yaml, c.extra, code, stderr, c.want)
		}
		if strings.Contains(stderr, "sekrit") || strings.Contains(stderr, "Bearer") {
			t.Errorf("%v: the header's value is shown: %q", c.extra, stderr)
		}
	}
	if n := srv.Requests(); n != 0 {
		t.Fatalf("the target got %d requests; every check must come before the first", n)
	}
	// The control: a good profile does reach the target.
	ok := filepath.Join(t.TempDir(), "ok")
	code, stdout, stderr := execCLI(t, context.Background(), "run", "--headless", "--target", srv.URL, "--credentials", creds,
		"--sessions", "2", "--rate", "5", "--duration", "1s", "--out", ok,
		"--config", writeFile(t, "s.yaml", "profile:\n  refresh_path: /api/auth/refresh\n"), "--header", "X-Ok: 1")
	if !runPassed(t, code, ok) || srv.Requests() == 0 { // 5 ticks: two lost to a stall are a shortfall
		t.Fatalf("control run: exit %d, %d requests\n%s\n%s", code, srv.Requests(), stdout, stderr)
	}
}
