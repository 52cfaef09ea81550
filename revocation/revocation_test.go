package revocation

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// httpChecker sends the follow-up over real HTTP with the cookie profile.
type httpChecker struct {
	t    *testing.T
	c    *http.Client
	prof targets.Profile
	csrf string
}

func (h httpChecker) Refresh(ctx context.Context, token string) oracle.Reply {
	req, err := targets.NewRefreshRequest(ctx, h.prof, token, h.csrf)
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := h.c.Do(req)
	if err != nil {
		return oracle.Reply{NoResponse: true}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return h.prof.ParseRefresh(resp.StatusCode, resp.Header, body)
}

func (h httpChecker) Access(ctx context.Context, access string) oracle.Reply {
	status, err := h.prof.CheckAccess(ctx, h.c, access)
	return oracle.Reply{Status: status, NoResponse: err != nil}
}

// reuse signs a family in against a fresh server, rotates T0→T1, presents
// T0 again (the rejected reuse) and follows it up.
func reuse(t *testing.T, server string, declared oracle.ReuseAction, later time.Duration) Verdict {
	t.Helper()
	srv, creds := rig.Authserver(t, server, 1)
	prof, err := targets.NewCookieProfile(targets.CookieConfig{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f, err := prof.SignIn(ctx, c, creds[0])
	if err != nil {
		t.Fatal(err)
	}
	h := httpChecker{t: t, c: c, prof: prof, csrf: f.CSRF}
	child := h.Refresh(ctx, f.Refresh)
	if child.Status != http.StatusOK || child.NewRefresh == "" {
		t.Fatalf("rotation: %+v", child)
	}
	if again := h.Refresh(ctx, f.Refresh); again.Status != http.StatusUnauthorized {
		t.Fatalf("reuse of the parent answered %d", again.Status)
	}
	return Follow(ctx, h, declared, later, child.NewRefresh, child.NewAccess)
}

func TestFollow(t *testing.T) {
	cases := []struct {
		name, server string
		declared     oracle.ReuseAction
		later        time.Duration
		outcome      oracle.Outcome
		state        oracle.FamilyState
		detail       string
		looks        int
	}{
		{"revoked and stays revoked", "strict", oracle.ReuseRevokeFamily, 200 * time.Millisecond,
			oracle.RejRevokedFamily, oracle.FamilyRevokedCorrectly, "revoked", 2},
		{"never revoked", "strict,defect=reuse-no-revoke", oracle.ReuseRevokeFamily, 200 * time.Millisecond,
			oracle.FailRevocationMissing, oracle.FamilyRevocationMissing, "the newest refresh token and the access credential still work", 2},
		{"revoked only later", "strict,revoke-lag=300ms", oracle.ReuseRevokeFamily, 800 * time.Millisecond,
			oracle.FailRevocationMissing, oracle.FamilyRevocationMissing, "revoked only within 800ms", 2},
		{"revoked, then back", "strict,defect=zombie,zombie-after=300ms", oracle.ReuseRevokeFamily, 800 * time.Millisecond,
			oracle.FailZombieFamily, oracle.FamilyZombie, "later its newest refresh token and access credential work again", 2},
		{"reject declared and kept", "strict,reuse=reject", oracle.ReuseReject, 200 * time.Millisecond,
			oracle.RejReuse, oracle.FamilyHealthy, "as reuse=reject declares", 1},
		{"reject declared, revoked anyway", "strict", oracle.ReuseReject, 200 * time.Millisecond,
			oracle.RejRevokedFamily, oracle.FamilyRevokedSpuriously, "although reuse=reject", 1},
		{"no second look", "strict", oracle.ReuseRevokeFamily, -1,
			oracle.RejRevokedFamily, oracle.FamilyRevokedCorrectly, "revoked", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v := reuse(t, c.server, c.declared, c.later)
			looks := 1
			if v.Later != nil {
				looks = 2
			}
			if v.Outcome != c.outcome || v.State != c.state || !strings.Contains(v.Detail, c.detail) || looks != c.looks {
				t.Fatalf("outcome %s state %s detail %q looks %d; want %s %s %q %d",
					v.Outcome, v.State, v.Detail, looks, c.outcome, c.state, c.detail, c.looks)
			}
			// One incident, at most one failure among its rows.
			fails := 0
			for _, l := range []*Look{&v.Now, v.Later} {
				if l != nil && l.Judgement.Outcome.IsFailure() {
					fails++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[c.outcome.IsFailure()]; fails != want {
				t.Fatalf("%d failure rows, want %d", fails, want)
			}
			if c.state == oracle.FamilyHealthy && !v.Lives() {
				t.Fatal("the family lives, but Lives says no")
			}
		})
	}
}
