package probe

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// TestFingerprintsOAuthServers probes the three modelled OAuth servers
// over the oauth2 profile, with their intervals shortened (B 1s, C 500ms)
// to keep the wall time low: each fingerprint must read what the server
// does, and only its real weaknesses may be violations.
func TestFingerprintsOAuthServers(t *testing.T) {
	cases := []struct {
		name, server  string
		reuse         oracle.ReuseAction
		selfContained bool
		check         func(t *testing.T, fp *Fingerprint)
	}{
		{"A", "server-a", oracle.ReuseRevokeFamily, false, func(t *testing.T, fp *Fingerprint) {
			want(t, "grace", fp.Grace.Kind, GraceStrict)
			want(t, "rotation", fp.Rotation, RotationEvery)
			want(t, "reuse", fp.Reuse, RevokeFamily)
			want(t, "revocation", fp.Revocation, Durable)
			want(t, "access", fp.AccessTokens, "revocable")
			want(t, "csrf", fp.CSRF.Missing, NotApplicable)
		}},
		{"B", "server-b=1s", oracle.ReuseRevokeFamily, true, func(t *testing.T, fp *Fingerprint) {
			if fp.Grace.Kind != GraceWindow || fp.Grace.UpperMS == nil || *fp.Grace.UpperMS > 2000 || fp.Grace.LowerMS > 1000 {
				t.Errorf("grace %+v: want the 1s window, read from the grandparent", fp.Grace)
			}
			want(t, "revocation", fp.Revocation, Lagging)
			want(t, "window users", fp.WindowUsers, AnyAncestor)
			if !fp.HasWeakness("parent_any_age") || !fp.HasViolation(oracle.FailReplayAccepted.String()) || !fp.HasViolation(oracle.FailRevocationMissing.String()) {
				t.Errorf("weaknesses %v violations %v: want parent_any_age, the ancestor fork and the revocation lag", fp.Weaknesses, fp.Violations)
			}
		}},
		{"C", "server-c=500ms", oracle.ReuseReject, true, func(t *testing.T, fp *Fingerprint) {
			want(t, "rotation", fp.Rotation, RotationAfterInterval)
			want(t, "reuse", fp.Reuse, RejectOnly)
			want(t, "revocation", fp.Revocation, None)
			want(t, "access", fp.AccessTokens, "self_contained")
			if fp.Grace.Kind != GraceWindow || fp.Grace.UpperMS == nil || *fp.Grace.UpperMS > 1000 {
				t.Errorf("grace %+v: want the 500ms interval", fp.Grace)
			}
			if fp.Violated() {
				t.Errorf("violations %v: C declared as it behaves has none", fp.Violations)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, creds := rig.Authserver(t, c.server, 4)
			prof := rig.Profile(t, targets.KindOAuth2, srv.URL)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			fp, err := Run(ctx, &http.Client{Timeout: 5 * time.Second}, prof, creds, Options{
				MaxDelay: 2 * time.Second, Timeout: 5 * time.Second, ExpectReuse: c.reuse,
				SelfContainedAccess: c.selfContained, Target: srv.URL,
			})
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			_ = fp.WriteText(&text)
			t.Log(text.String())
			c.check(t, fp)
		})
	}
}

func want(t *testing.T, what, got, wantV string) {
	t.Helper()
	if got != wantV {
		t.Errorf("%s %q, want %q", what, got, wantV)
	}
}
