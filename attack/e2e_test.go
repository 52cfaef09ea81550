package attack

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// runSpec is one engine run against a fresh embedded authserver.
type runSpec struct {
	serverPolicy string
	declared     string
	chaos        string
	sessions     int
	rate         float64
	duration     time.Duration
	probeMargin  time.Duration
	// dir, when set, is where events.csv and the other streamed files go.
	dir string
}

type runOutcome struct {
	summary *results.Summary
	report  *Report
	pool    *targets.Pool
	server  *authserver.Running
	rec     *results.Recorder
}

func runAgainstAuthserver(t *testing.T, spec runSpec) runOutcome {
	t.Helper()
	declared, err := oracle.ParsePolicy(spec.declared)
	if err != nil {
		t.Fatal(err)
	}
	chaos, err := ParseChaos(spec.chaos)
	if err != nil {
		t.Fatal(err)
	}
	srv, creds := rig.Authserver(t, spec.serverPolicy, spec.sessions)
	transport := NewTransport(spec.sessions + 64)
	t.Cleanup(transport.CloseIdleConnections)
	pool := rig.SignedInPool(t, srv.URL, spec.sessions, creds, transport)
	ctx, cancel := context.WithTimeout(context.Background(), spec.duration+30*time.Second)
	defer cancel()
	var dir *results.Dir
	if spec.dir != "" {
		if dir, err = results.CreateDir(spec.dir); err != nil {
			t.Fatal(err)
		}
	}
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: spec.duration, Dir: dir})
	eng, err := New(Config{
		Pool: pool, Creds: creds, Transport: transport,
		Rate: spec.rate, Duration: spec.duration, Timeout: 5 * time.Second,
		Policy: declared, ProbeMargin: spec.probeMargin, Chaos: chaos, Seed: 7, Recorder: rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dir != nil {
		if err := dir.Close(); err != nil {
			t.Fatal(err)
		}
	}
	sum := rec.Summary(results.RunMeta{Elapsed: rep.Elapsed, Families: rep.Families, RaceLogouts: rep.RaceLogouts, ReSignedIn: rep.ReSignedIn})
	results.Evaluate(sum, results.DefaultThresholds())
	return runOutcome{summary: sum, report: rep, pool: pool, server: srv, rec: rec}
}

func TestEngineRotatesRealCookieChains(t *testing.T) {
	const rate, dur = 200.0, 2 * time.Second
	out := runAgainstAuthserver(t, runSpec{serverPolicy: "strict", declared: "strict", sessions: 20, rate: rate, duration: dur})
	sum := out.summary
	rotated := sum.Outcomes[oracle.OKRotated]
	want := rate * dur.Seconds()
	if float64(rotated) < 0.85*want || float64(rotated) > 1.05*want {
		t.Fatalf("ok_rotated %d, want about %.0f", rotated, want)
	}
	for o, n := range sum.Outcomes {
		if oracle.Outcome(o).IsFailure() && n > 0 {
			t.Errorf("%s = %d", oracle.Outcome(o), n)
		}
	}
	if sum.Verdict != "pass" {
		t.Fatalf("verdict %s", sum.Verdict)
	}
	// Every chain advanced, and the server agrees: it rotated exactly as
	// often as the harness saw ok_rotated.
	var gens uint64
	for _, s := range out.pool.Sessions() {
		if s.Generation == 0 {
			t.Errorf("session %d never rotated", s.Index)
		}
		gens += uint64(s.Generation)
	}
	if gens != rotated {
		t.Errorf("sessions advanced %d generations, ok_rotated says %d", gens, rotated)
	}
	if st := out.server.Server.Stats(); uint64(st.Rotations) != rotated {
		t.Errorf("server rotated %d times, harness counted %d", st.Rotations, rotated)
	}
	if out.report.Families[oracle.FamilyHealthy] != 20 {
		t.Errorf("families %v", out.report.Families)
	}
	raw, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["schema"] != "refreshstorm/summary/v2" {
		t.Fatalf("schema %v", doc["schema"])
	}
	outcomes, _ := doc["outcomes"].(map[string]any)
	for _, o := range oracle.AllOutcomes() {
		if _, ok := outcomes[o.String()]; !ok {
			t.Errorf("summary lacks outcome %s", o)
		}
	}
	for _, key := range []string{"config", "requests", "families", "race_logouts", "latency_ms", "latency_corrected_ms", "thresholds", "verdict"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("summary lacks %s", key)
		}
	}
}
