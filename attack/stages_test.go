package attack

import (
	"context"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// stagesRun drives stages against an embedded server of the given policy.
func stagesRun(t *testing.T, serverPolicy, stages string, sessions int) *results.Summary {
	t.Helper()
	plan, err := ParseStages(stages)
	if err != nil {
		t.Fatal(err)
	}
	return stagesPlanRun(t, serverPolicy, plan, ChaosSpec{}, sessions)
}

// stagesPlanRun drives a stage plan with the run's chaos mix.
func stagesPlanRun(t *testing.T, serverPolicy string, plan []Stage, chaos ChaosSpec, sessions int) *results.Summary {
	t.Helper()
	var err error
	srv, creds := rig.Authserver(t, serverPolicy, sessions)
	transport := NewTransport(sessions + 64)
	t.Cleanup(transport.CloseIdleConnections)
	pool := rig.SignedInPool(t, srv.URL, sessions, creds, transport)
	cfg := Config{Pool: pool, Creds: creds, Transport: transport, Stages: plan, Timeout: 5 * time.Second,
		Seed: 7, Chaos: chaos}
	if cfg.Policy, err = oracle.ParsePolicy("strict"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.PlannedDuration()+30*time.Second)
	defer cancel()
	cfg.Recorder = results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: cfg.PlannedDuration()})
	eng, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	meta := results.RunMeta{Elapsed: rep.Elapsed, RequestedPerSecond: rep.RequestedPerSecond}
	for _, r := range rep.Stages {
		meta.Stages = append(meta.Stages, results.StageMeta{Name: r.Stage.Name, Shape: r.Stage.Shape.String(),
			Warmup: r.Stage.Warmup, Start: r.Start, Ran: r.Ran, Requested: r.Requested})
	}
	s := cfg.Recorder.Summary(meta)
	results.Evaluate(s, results.DefaultThresholds())
	return s
}

func TestStagesAchieveTheirShapes(t *testing.T) {
	s := stagesRun(t, "strict", "up=1s:0->150,hold=1s:150,wave=2s:sine(150,50,2s):warmup", 40)
	if len(s.Stages) != 3 {
		t.Fatalf("%d stages", len(s.Stages))
	}
	want := map[string]float64{"up": 75, "hold": 150, "wave": 300}
	for _, st := range s.Stages {
		if r := st.Requested / want[st.Name]; r < 0.95 || r > 1.05 {
			t.Errorf("stage %s requested %.1f, want about %.0f", st.Name, st.Requested, want[st.Name])
		}
		if r := float64(st.Achieved) / st.Requested; r < 0.9 || r > 1.02 {
			t.Errorf("stage %s achieved %d of %.1f requested", st.Name, st.Achieved, st.Requested)
		}
	}
	if !s.Stages[2].Warmup || s.Measured == nil || s.Measured.Achieved != s.Stages[0].Achieved+s.Stages[1].Achieved {
		t.Errorf("warmup not left out of the measured statistics: %+v", s.Measured)
	}
	if s.Verdict != results.VerdictPass {
		t.Errorf("verdict %s: %+v", s.Verdict, s.FailedThresholds())
	}
	// The ramp's first second asks for half of what the hold's does.
	if len(s.Timeline) < 2 || s.Timeline[0].Requested <= 0 || s.Timeline[1].Requested/s.Timeline[0].Requested < 1.5 {
		t.Errorf("timeline requested %v", s.Timeline)
	}
}

func TestShortfallFailsAboveTheServerCapacity(t *testing.T) {
	// 200/s of capacity, asked for 1.5 times that.
	s := stagesRun(t, "strict,capacity=200/s", "1500ms:300", 30)
	st := s.Stages[0]
	if ratio := st.AchievedRate / 200; ratio > 1.1 {
		t.Errorf("achieved %.0f/s against a 200/s server", st.AchievedRate)
	}
	if st.Shortfall < 0.2 {
		t.Errorf("shortfall %.3f, want about 1/3", st.Shortfall)
	}
	failed := false
	for _, r := range s.FailedThresholds() {
		failed = failed || r.Expr == "rate.shortfall<0.05"
	}
	if !failed || s.Verdict != results.VerdictFail {
		t.Errorf("verdict %s without rate.shortfall failing: %+v", s.Verdict, s.FailedThresholds())
	}
}

// A stage's own chaos mix (or none) applies in that stage only; a stage
// without one keeps the run's.
func TestStageChaosAppliesInItsStageOnly(t *testing.T) {
	plan, err := ParseStages("calm=1500ms:120,storm=1500ms:120,after=1500ms:120")
	if err != nil {
		t.Fatal(err)
	}
	plan[0].Chaos, plan[1].Chaos = "none", "csrf=0.4"
	run, err := ParseChaos("stale-cookie=0.4")
	if err != nil {
		t.Fatal(err)
	}
	s := stagesPlanRun(t, "strict", plan, run, 30)
	if len(s.Stages) != 3 {
		t.Fatalf("%d stages", len(s.Stages))
	}
	calm, storm, after := s.Stages[0], s.Stages[1], s.Stages[2]
	if len(calm.Chaos) != 0 {
		t.Errorf("stage calm (chaos none) carried chaos %v", calm.Chaos)
	}
	// 40 % of the stage's refreshes (about 180, fewer on a loaded
	// machine): far above the one or two events chosen just before a
	// boundary that can cross it.
	mostly := func(n, stray, of uint64) bool { return n >= 8 && float64(n) >= 0.2*float64(of) && stray <= 3 }
	if !mostly(storm.Chaos["csrf"], storm.Chaos["stale-cookie"], storm.Achieved) {
		t.Errorf("stage storm (csrf=0.4): chaos %v of %d refreshes", storm.Chaos, storm.Achieved)
	}
	if !mostly(after.Chaos["stale-cookie"], after.Chaos["csrf"], after.Achieved) {
		t.Errorf("stage after (the run's stale-cookie=0.4): chaos %v of %d refreshes", after.Chaos, after.Achieved)
	}
	if s.Failures() != 0 {
		t.Errorf("a strict server failed under chaos: %v", s.FailedThresholds())
	}
}
