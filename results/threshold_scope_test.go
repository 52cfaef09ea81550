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
	if _, err := ParseThreshold("stage.x.requests.total>0"); err == nil {
		t.Error("requests.total is not per stage, yet parsed with a stage prefix")
	}
}
