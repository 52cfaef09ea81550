package attack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// TestInvalidClientMidRunStopsTheRun: tokens signed in by a good client
// and refreshed by a client the server rejects (a rotated secret) stop
// the run at once with a configuration error, not a run of failures.
func TestInvalidClientMidRunStopsTheRun(t *testing.T) {
	const n = 4
	srv, creds := rig.Authserver(t, "strict", n)
	c := &http.Client{Timeout: 5 * time.Second}
	good := rig.Profile(t, targets.KindOAuth2, srv.URL)
	ims := make([]targets.Imported, n)
	for i := range ims {
		f, err := good.SignIn(context.Background(), c, creds[i])
		if err != nil {
			t.Fatal(err)
		}
		ims[i] = targets.Imported{Refresh: f.Refresh, Access: f.Access}
	}
	cfg := rig.EmbeddedProfile(targets.KindOAuth2)
	cfg.ClientSecret = "rotated-away"
	bad, err := targets.NewProfile(cfg, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	pool := targets.NewPool(n, bad, targets.NewFingerprinter())
	if err := pool.AdoptImported(context.Background(), c, ims); err != nil {
		t.Fatal(err)
	}
	const dur = 20 * time.Second
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: dur})
	eng, err := New(Config{Pool: pool, Rate: 50, Duration: dur, Timeout: 5 * time.Second, Recorder: rec, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.ConfigError, "invalid_client") || rep.Aborted == nil {
		t.Fatalf("config error %q aborted %v", rep.ConfigError, rep.Aborted)
	}
	if rep.Elapsed > dur/2 {
		t.Fatalf("ran %s of %s: the run did not stop", rep.Elapsed, dur)
	}
	sum := rec.Summary(results.RunMeta{Elapsed: rep.Elapsed})
	if sum.Outcomes[oracle.FailBadResponse] == 0 || sum.Outcomes[oracle.FailUnexpectedLogout] != 0 {
		t.Fatalf("outcomes %v", nonZero(sum.Outcomes[:]))
	}
}
