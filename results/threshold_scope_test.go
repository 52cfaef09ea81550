package results

import (
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

func TestAbortSuffixPercentilesAndStages(t *testing.T) {
	th := MustParseThreshold("latency.p99<2s!")
	if !th.Abort || th.Expr != "latency.p99<2s" {
		t.Fatalf("abort suffix: %+v", th)
	}
	r := NewRecorder(RecorderOptions{Start: testStart})
	for i := 0; i < 100; i++ {
		stage := 0
		if i >= 50 {
			stage = 1
		}
		r.Record(&Observation{Start: testStart, Kind: KindRefresh, Outcome: oracle.OKRotated,
			Latency: time.Duration(i+1) * time.Millisecond, Stage: stage})
	}
	s := r.Summary(RunMeta{Elapsed: time.Second, Stages: []StageMeta{
		{Name: "low", Ran: time.Second, Requested: 50, Warmup: true}, {Name: "high", Ran: time.Second, Requested: 100}}})
	for expr, want := range map[string]bool{
		"latency.p95<94ms":               false, // whole run less the warmup: 51..100 ms
		"latency.p95<99ms":               true,
		"stage.low.latency.p99.9<51ms":   true,
		"stage.high.rate.shortfall<0.05": false, // 50 of 100 sent
		"stage.low.rate.shortfall<0.05":  true,
		"rate.shortfall<0.6":             true, // warmup excluded; high's 0.5 counts
	} {
		if _, ok := MustParseThreshold(expr).Check(s); ok != want {
			t.Errorf("%s: pass=%v, want %v", expr, ok, want)
		}
	}
}

// Warmup stages are left out of every statistic the verdict reads, the
// counts and the family states included, and every metric takes a stage.
func TestWarmupLeftOutOfCountsAndFamilies(t *testing.T) {
	r := NewRecorder(RecorderOptions{Start: testStart})
	for i := 0; i < 90; i++ {
		stage, out := 0, oracle.OKRotated
		if i >= 60 {
			stage = 1
		}
		if i%30 == 0 {
			out = oracle.FailFork // one per 30: two in warmup, one measured
		}
		r.Record(&Observation{Start: testStart.Add(time.Duration(i) * 10 * time.Millisecond), Kind: KindRefresh, Outcome: out,
			Latency: time.Millisecond, Stage: stage})
	}
	r.StageDropped(0)
	r.StageFamily(0, oracle.FamilyForked)
	r.StageFamily(0, oracle.FamilyForked)
	r.StageFamily(1, oracle.FamilyHealthy)
	r.StageRaceLogout(0, testStart)
	s := r.Summary(RunMeta{Elapsed: 2 * time.Second, Stages: []StageMeta{
		{Name: "warm", Ran: time.Second, Requested: 60, Warmup: true}, {Name: "main", Ran: time.Second, Requested: 30}}})
	for expr, want := range map[string]bool{
		"requests.total==30":             true,
		"requests.rate==30":              true,
		"requests.dropped==0":            true,
		"fail_fork==1":                   true,
		"families.forked==0":             true,
		"families.healthy==1":            true,
		"race_logouts==0":                true,
		"stage.warm.requests.total==60":  true,
		"stage.warm.requests.dropped==1": true,
		"stage.warm.families.forked==2":  true,
		"stage.warm.race_logouts==1":     true,
		"stage.main.requests.load==30":   true,
	} {
		if v, ok := MustParseThreshold(expr).Check(s); ok != want {
			t.Errorf("%s: pass=%v (value %v), want %v", expr, ok, v, want)
		}
	}
	if s.Measured == nil || s.Measured.Requests.Total != 30 || s.Measured.Families[oracle.FamilyForked] != 0 {
		t.Errorf("measured part: %+v", s.Measured)
	}
}
