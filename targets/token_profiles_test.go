package targets_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/internal/scrub"
	"github.com/refreshstorm/refreshstorm/targets"
)

// refreshOnce sends one refresh of token through p over real HTTP.
func refreshOnce(t *testing.T, c *http.Client, p targets.Profile, token string) (int, string, string, bool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := targets.NewRefreshRequest(ctx, p, token, "")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body := make([]byte, 0, 512)
	buf := make([]byte, 512)
	for {
		n, err := resp.Body.Read(buf)
		body = append(body, buf[:n]...)
		if err != nil {
			break
		}
	}
	r := p.ParseRefresh(resp.StatusCode, resp.Header, body)
	return r.Status, r.NewRefresh, r.ErrorCode, r.Refused, r.ConfigError
}

// TestTokenProfilesAgainstAuthserver signs in, rotates, replays and
// checks access on every client auth of oauth2 and on json, over real
// HTTP against the embedded authserver.
func TestTokenProfilesAgainstAuthserver(t *testing.T) {
	srv, creds := rig.Authserver(t, "strict", 8)
	c := &http.Client{Timeout: 5 * time.Second}
	oauth := func(auth, id, secret string) targets.ProfileConfig {
		cfg := rig.EmbeddedProfile(targets.KindOAuth2)
		cfg.ClientAuth, cfg.ClientID, cfg.ClientSecret = auth, id, secret
		return cfg
	}
	cases := map[string]targets.ProfileConfig{
		"oauth2/basic": oauth("basic", authserver.DemoClientID, authserver.DemoClientSecret),
		"oauth2/post":  oauth("post", authserver.DemoClientID, authserver.DemoClientSecret),
		"oauth2/none":  oauth("none", authserver.PublicClientID, ""),
		"json":         rig.EmbeddedProfile(targets.KindJSON),
	}
	i := 0
	for name, cfg := range cases {
		cred := creds[i]
		i++
		t.Run(name, func(t *testing.T) {
			p, err := targets.NewProfile(cfg, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			fam, err := p.SignIn(ctx, c, cred)
			if err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			if fam.Refresh == "" || fam.Access == "" {
				t.Fatalf("sign-in gave no tokens")
			}
			status, child, _, _, _ := refreshOnce(t, c, p, fam.Refresh)
			if status != 200 || child == "" || child == fam.Refresh {
				t.Fatalf("refresh: status %d, rotated %v", status, child != fam.Refresh)
			}
			if st, err := p.CheckAccess(ctx, c, fam.Access); err != nil || st != 200 {
				t.Fatalf("access check before reuse: %d %v", st, err)
			}
			status, _, code, refused, cfgErr := refreshOnce(t, c, p, fam.Refresh)
			if status/100 != 4 || !refused || cfgErr != "" {
				t.Fatalf("replay of the parent: status %d code %q refused %v config %q", status, code, refused, cfgErr)
			}
			if st, _, _, _, _ := refreshOnce(t, c, p, child); st == 200 {
				t.Fatal("the family survived reuse under strict")
			}
			if st, err := p.CheckAccess(ctx, c, fam.Access); err != nil || st != http.StatusUnauthorized {
				t.Fatalf("access check after revocation: %d %v, want 401", st, err)
			}
		})
	}
}

// TestOAuth2ClientErrorsAreConfigErrors: a wrong secret is a
// configuration error at sign-in and on refresh, and the secret never
// survives scrubbing.
func TestOAuth2ClientErrorsAreConfigErrors(t *testing.T) {
	srv, creds := rig.Authserver(t, "strict", 2)
	c := &http.Client{Timeout: 5 * time.Second}
	const wrong = "not-the-secret-4f1c"
	good, err := targets.NewProfile(rig.EmbeddedProfile(targets.KindOAuth2), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []string{"basic", "post"} {
		cfg := rig.EmbeddedProfile(targets.KindOAuth2)
		cfg.ClientAuth, cfg.ClientSecret = auth, wrong
		p, err := targets.NewProfile(cfg, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.SignIn(context.Background(), c, creds[0])
		var ce *targets.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "configuration error") || ce.Code != "invalid_client" {
			t.Fatalf("%s: sign-in with a wrong secret: %v", auth, err)
		}
		fam, err := good.SignIn(context.Background(), c, creds[1])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, refused, cfgErr := refreshOnce(t, c, p, fam.Refresh); cfgErr != "invalid_client" || refused {
			t.Fatalf("%s: refresh with a wrong secret: config %q refused %v", auth, cfgErr, refused)
		}
	}
	if got := scrub.Text("secret is " + wrong); strings.Contains(got, wrong) {
		t.Fatalf("client secret not scrubbed: %q", got)
	}
}

func TestProfileConfigErrors(t *testing.T) {
	t.Setenv("REFRESHSTORM_TEST_EMPTY", "")
	bad := map[string]targets.ProfileConfig{
		"unknown kind":     {Kind: "saml"},
		"basic without id": {Kind: targets.KindOAuth2, ClientSecret: "s", ClientAuth: "basic"},
		"unknown auth":     {Kind: targets.KindOAuth2, ClientID: "c", ClientAuth: "jwt"},
		"empty secret env": {Kind: targets.KindOAuth2, ClientID: "c", ClientSecretEnv: "REFRESHSTORM_TEST_EMPTY"},
		"relative token":   {Kind: targets.KindOAuth2, ClientID: "c", TokenURL: "oauth/token"},
		"bad json path":    {Kind: targets.KindJSON, RefreshTokenAt: "data..token"},
		"bad access check": {Kind: targets.KindJSON, AccessCheckURL: "ftp://x"},
	}
	for name, cfg := range bad {
		if _, err := targets.NewProfile(cfg, "http://127.0.0.1:1"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	t.Setenv("REFRESHSTORM_TEST_SECRET", "from-env-7d2a")
	p, err := targets.NewProfile(targets.ProfileConfig{Kind: targets.KindOAuth2, ClientID: "c", ClientSecretEnv: "REFRESHSTORM_TEST_SECRET", ClientAuth: "post"}, "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	body := string(p.WriteRefresh(h, "tok/+=", ""))
	if body != "grant_type=refresh_token&refresh_token=tok%2F%2B%3D&client_id=c&client_secret=from-env-7d2a" {
		t.Fatalf("form %q", body)
	}
	if h.Get("Content-Type") != "application/x-www-form-urlencoded" || h.Get("Authorization") != "" {
		t.Fatalf("headers %v", h)
	}
}

// TestRefreshBodiesAreNotShared: a new body per rotation, never an old
// one rewritten, so requests in flight keep theirs.
func TestRefreshBodiesAreNotShared(t *testing.T) {
	p, err := targets.NewProfile(targets.ProfileConfig{Kind: targets.KindJSON}, "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	a := p.WriteRefresh(h, "first", "")
	b := p.WriteRefresh(h, "second", "")
	if string(a) != `{"refresh_token":"first"}` || string(b) != `{"refresh_token":"second"}` {
		t.Fatalf("bodies %q %q", a, b)
	}
}

func TestJSONProfileReadsNestedPaths(t *testing.T) {
	p, err := targets.NewProfile(targets.ProfileConfig{Kind: targets.KindJSON, RefreshTokenAt: "data.session.refresh", AccessTokenAt: "data.session.access"}, "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	r := p.ParseRefresh(200, nil, []byte(`{"data":{"session":{"refresh":"r2","access":"a2"}}}`))
	if r.NewRefresh != "r2" || r.NewAccess != "a2" || r.Kept || r.Malformed != "" {
		t.Fatalf("%+v", r)
	}
	if r := p.ParseRefresh(200, nil, []byte(`{"data":{}}`)); !r.Kept {
		t.Fatalf("no token should read as kept: %+v", r)
	}
	if r := p.ParseRefresh(401, nil, []byte(`{"error":"expired"}`)); !r.Refused {
		t.Fatalf("401 should refuse: %+v", r)
	}
}
