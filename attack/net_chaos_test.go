package attack

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// netRun is one engine run with network chaos against a fresh embedded
// server, over HTTP/1.1 or, with h2, over TLS with HTTP/2 only.
type netRun struct {
	server, declared, chaos string
	h2                      bool
	timeout, duration       time.Duration
}

type netResult struct {
	sum    *results.Summary
	rep    *Report
	srv    *authserver.Running
	wire   *Wire
	server authserver.Stats
}

const netSessions = 16

func runNet(t *testing.T, r netRun) netResult {
	t.Helper()
	declared, err := oracle.ParsePolicy(r.declared)
	if err != nil {
		t.Fatal(err)
	}
	chaos, err := ParseChaos(r.chaos)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := authserver.ParsePolicy(r.server)
	if err != nil {
		t.Fatal(err)
	}
	demo := authserver.DemoUsers(netSessions)
	listen, opts := authserver.Listen{}, ClientOptions{}
	if r.h2 {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		if listen.TLS, err = authserver.SelfSignedTLS(ca); err != nil {
			t.Fatal(err)
		}
		opts = ClientOptions{CACerts: []string{ca}, HTTP2: true}
	}
	srv, err := authserver.StartWith("127.0.0.1:0", authserver.Config{Policy: sp, Users: demo}, listen)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	creds := make([]targets.Credential, 0, netSessions)
	for id, pw := range demo {
		creds = append(creds, targets.Credential{Identifier: id, Password: pw})
	}
	transport, err := NewClientTransport(netSessions+64, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(transport.CloseIdleConnections)
	wire := &Wire{Next: transport}
	pool := rig.SignedInPool(t, srv.URL, netSessions, creds, wire)
	if r.timeout == 0 {
		r.timeout = 5 * time.Second
	}
	if r.duration == 0 {
		r.duration = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.duration+30*time.Second)
	defer cancel()
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: r.duration})
	eng, err := New(Config{
		Pool: pool, Creds: creds, Transport: wire, Rate: 40, Duration: r.duration, Timeout: r.timeout,
		Policy: declared, ProbeMargin: 300 * time.Millisecond, Chaos: chaos, Seed: 11, Recorder: rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := rec.Summary(results.RunMeta{Elapsed: rep.Elapsed, Families: rep.Families, RaceLogouts: rep.RaceLogouts, ReSignedIn: rep.ReSignedIn})
	t.Logf("%s on %s (declared %s, h2 %v): outcomes %v produced %v families %v re-signed-in %d",
		r.chaos, r.server, r.declared, r.h2, nonZero(sum.Outcomes[:]), sum.Chaos.Produced, sum.Families, rep.ReSignedIn)
	return netResult{sum: sum, rep: rep, srv: srv, wire: wire, server: srv.Server.Stats()}
}

// failures lists the fail_* outcomes other than allowed.
func failures(sum *results.Summary, allowed ...oracle.Outcome) map[string]uint64 {
	out := map[string]uint64{}
	for o, n := range sum.Outcomes {
		oc := oracle.Outcome(o)
		if !oc.IsFailure() || n == 0 {
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == oc
		}
		if !ok {
			out[oc.String()] = n
		}
	}
	return out
}

// TestNetResetOnStrictServerDeclaredGrace: the server rotates, the
// connection is reset before the client reads the answer, and the retry
// with the old token is refused: a server that promises grace=2s but is
// strict logs the user out.
func TestNetResetOnStrictServerDeclaredGrace(t *testing.T) {
	res := runNet(t, netRun{server: "strict", declared: "grace=2s", chaos: "net-reset=0.2"})
	got := res.sum.Chaos.Produced["net-reset"]
	if res.sum.Chaos.Injected["net-reset"] == 0 || got["fail_lost_response_logout"] == 0 {
		t.Fatalf("net-reset produced %v, want fail_lost_response_logout", got)
	}
	if got["ok_rotated"] != res.sum.Chaos.Injected["net-reset"] {
		t.Errorf("%d resets, %d kept answers judged ok_rotated: the server rotated before every reset", res.sum.Chaos.Injected["net-reset"], got["ok_rotated"])
	}
	if f := failures(res.sum, oracle.FailLostResponseLogout); len(f) > 0 {
		t.Errorf("other failures %v", f)
	}
}

// TestNetResetOnGraceServer: the same resets on a server with the grace
// window it declares: the retry gets the child the reset hid.
func TestNetResetOnGraceServer(t *testing.T) {
	res := runNet(t, netRun{server: "grace=2s", declared: "grace=2s", chaos: "net-reset=0.2"})
	got := res.sum.Chaos.Produced["net-reset"]
	if got["ok_grace_same_child"] == 0 {
		t.Fatalf("net-reset produced %v, want ok_grace_same_child", got)
	}
	if f := failures(res.sum); len(f) > 0 {
		t.Errorf("false alarms %v", f)
	}
}

// TestNetResetOnHTTP2: over TLS and HTTP/2, a reset hits only its own
// request (it has a connection of its own) and the kept HTTP/2 answer is
// read: the retry is recognised as the same child.
func TestNetResetOnHTTP2(t *testing.T) {
	res := runNet(t, netRun{server: "grace=2s", declared: "grace=2s", chaos: "net-reset=0.2,net-latency=0.2:20ms±10ms", h2: true})
	got := res.sum.Chaos.Produced["net-reset"]
	if got["ok_grace_same_child"] == 0 {
		t.Fatalf("net-reset on h2 produced %v, want ok_grace_same_child", got)
	}
	if p := res.wire.Protocols(); p["HTTP/2.0"] == 0 || len(p) != 1 {
		t.Errorf("protocols %v, want HTTP/2.0 only", p)
	}
	if res.sum.Chaos.Produced["net-latency"]["ok_rotated"] == 0 {
		t.Errorf("net-latency on h2 produced %v", res.sum.Chaos.Produced["net-latency"])
	}
	if f := failures(res.sum); len(f) > 0 {
		t.Errorf("false alarms %v", f)
	}
}

// TestNetStallAndLatency: a hold shorter than --timeout only delays the
// refresh; a stall longer leaves the request half-sent, the client times
// out, and the family stays in step because the server never had it.
func TestNetStallAndLatency(t *testing.T) {
	res := runNet(t, netRun{server: "strict", declared: "strict", chaos: "net-stall=0.15:3s,net-latency=0.15:50ms±20ms", timeout: 1500 * time.Millisecond})
	if n := res.sum.Chaos.Produced["net-stall"]["timeout"]; n == 0 {
		t.Errorf("net-stall produced %v, want timeouts", res.sum.Chaos.Produced["net-stall"])
	}
	if n := res.sum.Chaos.Produced["net-latency"]["ok_rotated"]; n == 0 {
		t.Errorf("net-latency produced %v, want ok_rotated", res.sum.Chaos.Produced["net-latency"])
	}
	if res.rep.ReSignedIn != 0 || res.sum.Families[oracle.FamilyHealthy] != netSessions {
		t.Errorf("families %v, re-signed-in %d: a stalled request must leave its family healthy", res.sum.Families, res.rep.ReSignedIn)
	}
	if f := failures(res.sum); len(f) > 0 {
		t.Errorf("false alarms %v", f)
	}
	if uint64(res.server.Rotations) != res.sum.Outcomes[oracle.OKRotated] {
		t.Errorf("server rotated %d times, harness saw %d ok_rotated", res.server.Rotations, res.sum.Outcomes[oracle.OKRotated])
	}
}

// TestPartitionRefusesThenHeals: inside the window every refresh is
// refused before it leaves; after the heal each refused session's next
// refresh rotates: the families survive, nobody signs in again.
func TestPartitionRefusesThenHeals(t *testing.T) {
	res := runNet(t, netRun{server: "strict", declared: "strict", chaos: "partition=800ms@600ms", duration: 2500 * time.Millisecond})
	got := res.sum.Chaos.Produced["partition"]
	if got["transport_error"] == 0 || got["ok_rotated"] == 0 {
		t.Fatalf("partition produced %v, want refusals then ok_rotated", got)
	}
	if res.rep.ReSignedIn != 0 || res.sum.Families[oracle.FamilyHealthy] != netSessions {
		t.Errorf("families %v, re-signed-in %d", res.sum.Families, res.rep.ReSignedIn)
	}
	if f := failures(res.sum); len(f) > 0 {
		t.Errorf("false alarms %v", f)
	}
	if uint64(res.server.Rotations) != res.sum.Outcomes[oracle.OKRotated] {
		t.Errorf("server rotated %d times, harness saw %d ok_rotated: a refused request reached it", res.server.Rotations, res.sum.Outcomes[oracle.OKRotated])
	}
}

// TestNetResetOnStrictServerDeclaredStrict: without a declared window
// the refused retry is the correct answer (a race logout, no failure).
func TestNetResetOnStrictServerDeclaredStrict(t *testing.T) {
	res := runNet(t, netRun{server: "strict", declared: "strict", chaos: "net-reset=0.2"})
	if got := res.sum.Chaos.Produced["net-reset"]; got["rej_reuse"] == 0 || res.sum.RaceLogouts.Count == 0 {
		t.Fatalf("net-reset produced %v, race logouts %d; want rej_reuse and race logouts", got, res.sum.RaceLogouts.Count)
	}
	if f := failures(res.sum); len(f) > 0 {
		t.Errorf("false alarms %v", f)
	}
}

func TestParseNetChaos(t *testing.T) {
	c, err := ParseChaos("net-latency=0.1:200ms+-50ms,net-reset=0.05,net-stall=0.02,partition=10s@30s")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.String(), "net-latency=0.1:200ms±50ms,net-reset=0.05,net-stall=0.02:2s,partition=10s@30s"; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	if again, err := ParseChaos(c.String()); err != nil || again.String() != c.String() {
		t.Errorf("round trip: %v %v", again, err)
	}
	for _, bad := range []string{"net-latency=0.1:50ms±80ms", "net-reset=0.1:1s", "net-stall=0.1:-1s", "partition=0.1", "partition=10s", "partition=-1s@0s"} {
		if _, err := ParseChaos(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: err %v, want one quoting it", bad, err)
		}
	}
}
