package fositeserver

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// run drives refreshstorm's oauth2 profile against the fosite server.
func run(t *testing.T, policy, chaos string, sessions int) *results.Summary {
	t.Helper()
	h, err := New(sessions)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	prof, err := targets.NewProfile(targets.ProfileConfig{
		Kind: targets.KindOAuth2, TokenURL: "/token", IntrospectionURL: "/introspect",
		ClientID: ClientID, ClientSecret: ClientSecret, ClientAuth: targets.ClientAuthBasic, Scope: Scope,
	}, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	creds := make([]targets.Credential, sessions)
	for i := range creds {
		id := fmt.Sprintf("user-%04d", i+1)
		creds[i] = targets.Credential{Identifier: id, Password: "pw-" + id}
	}
	tr := attack.NewTransport(sessions + 16)
	t.Cleanup(tr.CloseIdleConnections)
	pool := targets.NewPool(sessions, prof, targets.NewFingerprinter())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pool.SignInAll(ctx, &http.Client{Transport: tr}, creds, 1, targets.BootstrapOptions{}); err != nil {
		t.Fatal(err)
	}
	declared, err := oracle.ParsePolicy(policy)
	if err != nil {
		t.Fatal(err)
	}
	mix, err := attack.ParseChaos(chaos)
	if err != nil {
		t.Fatal(err)
	}
	const dur = 2 * time.Second
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: dur})
	eng, err := attack.New(attack.Config{Pool: pool, Creds: creds, Transport: tr, Rate: 40, Duration: dur,
		Timeout: 5 * time.Second, Policy: declared, Chaos: mix, ProbeMargin: 300 * time.Millisecond, Seed: 3, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := rec.Summary(results.RunMeta{Elapsed: rep.Elapsed, Families: rep.Families, RaceLogouts: rep.RaceLogouts, ReSignedIn: rep.ReSignedIn})
	results.Evaluate(sum, results.DefaultThresholds())
	t.Logf("outcomes %v families %v race logouts %d", nonZero(sum.Outcomes[:]), sum.Families, sum.RaceLogouts.Count)
	return sum
}

// TestFositeStrictRotation: fosite rotates every refresh and revokes the
// whole chain on reuse; declared strict with access tokens revocable, the
// run must pass with no failure and must have seen reuse detected.
func TestFositeStrictRotation(t *testing.T) {
	sum := run(t, "strict,access=revocable", "replay=0.1:200ms,lost-response=0.05,stale-cookie=0.05", 20)
	for o, n := range sum.Outcomes {
		if oracle.Outcome(o).IsFailure() && n > 0 {
			t.Errorf("%s = %d against fosite", oracle.Outcome(o), n)
		}
	}
	if sum.Outcomes[oracle.OKRotated] == 0 || sum.Outcomes[oracle.RejReuse] == 0 || sum.Outcomes[oracle.RejRevokedFamily] == 0 {
		t.Errorf("want rotations, rejected reuse and revoked families: %v", nonZero(sum.Outcomes[:]))
	}
	if sum.Verdict != "pass" {
		t.Errorf("verdict %s", sum.Verdict)
	}
}

// TestFositeConcurrentDuplicates reports what fosite's in-memory store
// does with two refreshes of one token at once; it is not a verdict on
// fosite, so it only requires that the bursts happened and were judged.
func TestFositeConcurrentDuplicates(t *testing.T) {
	sum := run(t, "strict,access=revocable", "concurrent=0.3:2", 20)
	if sum.Chaos.Injected["concurrent"] == 0 {
		t.Fatal("no burst injected")
	}
}

func nonZero(counts []uint64) map[string]uint64 {
	m := map[string]uint64{}
	for o, n := range counts {
		if n > 0 {
			m[oracle.Outcome(o).String()] = n
		}
	}
	return m
}
