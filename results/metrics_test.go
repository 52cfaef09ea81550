package results

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

func TestMetrics(t *testing.T) {
	r := NewRecorder(RecorderOptions{Start: testStart})
	for i := 0; i < 5; i++ {
		r.Record(&Observation{Start: testStart, Kind: KindRefresh, Outcome: oracle.OKRotated, Latency: 3 * time.Millisecond})
	}
	r.Record(&Observation{Start: testStart, Kind: KindReplay, Chaos: "replay", Outcome: oracle.FailReplayAccepted, Latency: 2 * time.Second})
	r.ChaosInjected("replay")
	r.RecordDropped()
	snap := r.Snapshot(testStart.Add(time.Second))
	snap.Families[oracle.FamilyZombie] = 2
	snap.RaceLogouts = 1

	srv := httptest.NewServer(MetricsHandler(func() Snapshot { return snap }, WithLatency(r.LatencyBuckets)))
	defer srv.Close()
	body := get(t, srv.URL)
	for _, want := range []string{
		`refreshstorm_requests_total{outcome="ok_rotated"} 5`,
		`refreshstorm_requests_total{outcome="fail_replay_accepted"} 1`,
		`refreshstorm_requests_total{outcome="indeterminate"} 0`,
		`refreshstorm_latency_seconds_bucket{le="0.005"} 5`,
		`refreshstorm_latency_seconds_bucket{le="2.5"} 6`,
		`refreshstorm_latency_seconds_bucket{le="+Inf"} 6`,
		`refreshstorm_latency_seconds_count 6`,
		`refreshstorm_latency_seconds_sum 2.015`,
		`refreshstorm_families{state="zombie"} 2`,
		`refreshstorm_families{state="healthy"} 0`,
		`refreshstorm_chaos_events_total{kind="replay"} 1`,
		`refreshstorm_chaos_outcomes_total{kind="replay",outcome="fail_replay_accepted"} 1`,
		`refreshstorm_dropped_ticks_total 1`,
		`refreshstorm_race_logouts_total 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestServeMetrics(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	stop, err := ServeMetrics(addr, func() Snapshot { return Snapshot{Dropped: 7} })
	if err != nil {
		t.Fatal(err)
	}
	if body := get(t, "http://"+addr+"/metrics"); !strings.Contains(body, "refreshstorm_dropped_ticks_total 7") {
		t.Errorf("body: %s", body)
	}
	stop()
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("server still answers after stop")
	}
	if _, err := ServeMetrics("256.0.0.1:1", func() Snapshot { return Snapshot{} }); err == nil {
		t.Error("bad address accepted")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
