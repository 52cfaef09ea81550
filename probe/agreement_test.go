package probe

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// chaosOf maps each chaos kind of `run` to the probe experiments (and
// reuse ways) that make the same thing happen.
var chaosOf = []struct {
	kind, mix   string
	experiments []string
}{
	{"lost-response", "lost-response=0.3:100ms", []string{expLostResponse, WayLostResponse}},
	{"concurrent", "concurrent=0.3:3", []string{expConcurrent, WayConcurrent}},
	{"replay", "replay=0.3:300ms", []string{expParent, expGrandparent, WayParent, WayGrandparent}},
	{"stale-cookie", "stale-cookie=0.3", []string{WayStale}},
	{"csrf", "csrf=0.3", []string{expCSRF}},
}

// TestProbeAndRunAgree: for every authserver policy and defect mode, and
// for each chaos kind, the fail_* outcomes `probe` reports for the
// experiments of that kind are the ones `run` reports under that chaos
// alone. Both are judged by the same oracle and the same revocation
// follow-up, so they must agree. Every probe and every run gets its own
// server and they all run at once: they mostly wait.
func TestProbeAndRunAgree(t *testing.T) {
	// racy names the chaos kind whose verdict depends on a race the
	// server loses or wins: the cell is shown, not asserted.
	cases := []struct{ server, declared, racy string }{
		{"strict", "strict", ""},
		{"strict,reuse=reject", "strict,reuse=reject", ""},
		{"grace=2s", "grace=2s", ""},
		{"strict,defect=non-atomic", "strict", ""},
		{"strict,defect=reuse-no-revoke", "strict", ""},
		{"strict,defect=zombie,zombie-after=2s", "strict", ""},
		{"strict,defect=no-csrf", "strict", ""},
		{"strict,defect=csrf-consumes", "strict", ""},
		{"strict,defect=accept-rotated", "strict", ""},
		// Revocation happens only when a duplicate races past the
		// pre-check: on a loaded machine a burst may not race at all.
		{"strict,defect=revoke-on-concurrent-only", "strict", "concurrent"},
		{"grace=1s,defect=grace-any-ancestor", "grace=1s", ""},
	}
	type cell struct {
		probe, run []string
	}
	var (
		mu    sync.Mutex
		table = map[string]map[string]cell{}
	)
	// Everything starts at once (subtests in parallel are capped at
	// GOMAXPROCS): the probes and runs mostly wait.
	type started struct {
		probe *probeRun
		runs  []chan []string
	}
	all := make([]started, len(cases))
	slots := make(chan struct{}, 4) // engine runs at a time: they do load the machine
	for ci, c := range cases {
		declared, err := oracle.ParsePolicy(c.declared)
		if err != nil {
			t.Fatal(err)
		}
		// A zombie comes back after zombie-after: both wait longer than
		// that, and it is long enough that a loaded machine's first look
		// still comes before it.
		margin := 500 * time.Millisecond
		if strings.Contains(c.server, "zombie") {
			margin = 2500 * time.Millisecond
		}
		all[ci].probe = startProbe(t, c.server, Options{ExpectReuse: declared.Reuse, ZombieMargin: margin})
		for _, k := range chaosOf {
			ch := make(chan []string, 1)
			all[ci].runs = append(all[ci].runs, ch)
			go func() {
				var fails []string
				defer func() { ch <- fails }() // also when a rig helper ends the goroutine
				slots <- struct{}{}
				defer func() { <-slots }()
				fails = runFailures(t, c.server, declared, k.mix, margin)
			}()
		}
	}
	for ci, c := range cases {
		t.Run(c.server, func(t *testing.T) {
			pr := all[ci].probe
			<-pr.done
			if pr.err != nil {
				t.Fatal(pr.err)
			}
			row := map[string]cell{}
			for i, k := range chaosOf {
				run := withoutOrphans(<-all[ci].runs[i])
				got := withoutOrphans(probeFailures(pr.fp, k.experiments))
				row[k.kind] = cell{got, run}
				if !slices.Equal(got, run) && k.kind != c.racy {
					t.Errorf("%s: probe reports %v, run reports %v", k.kind, got, run)
				}
			}
			mu.Lock()
			table[c.server] = row
			mu.Unlock()
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| server | %s |\n|---|---|---|---|---|---|\n", strings.Join(kinds(), " | "))
	for _, c := range cases {
		fmt.Fprintf(&b, "| `%s` |", c.server)
		for _, k := range kinds() {
			cl := table[c.server][k]
			mark := ""
			if !slices.Equal(cl.probe, cl.run) {
				mark = fmt.Sprintf(" ≠ probe %s", show(cl.probe))
			}
			if k == c.racy {
				mark += " (racy)"
			}
			fmt.Fprintf(&b, " %s%s |", show(cl.run), mark)
		}
		b.WriteString("\n")
	}
	t.Log(b.String())
}

// withoutOrphans drops fail_orphan_child: whether a burst's extra child
// is already dead when it is checked depends on the order the server
// handled the burst in, which neither side controls. Both report it.
func withoutOrphans(fails []string) []string {
	return slices.DeleteFunc(fails, func(f string) bool { return f == oracle.FailOrphanChild.String() })
}

func kinds() []string {
	var out []string
	for _, k := range chaosOf {
		out = append(out, k.kind)
	}
	return out
}

func show(fails []string) string {
	if len(fails) == 0 {
		return "–"
	}
	return strings.Join(fails, ", ")
}

// probeFailures is the sorted set of violations the probe found in the
// experiments named. fail_revocation_missing counts when at least as many
// checked trials of those ways kept a credential alive as were revoked:
// on a server whose revocation depends on a race (revoke-on-concurrent-
// only) a few trials go either way, in probe and in run alike.
func probeFailures(fp *Fingerprint, experiments []string) []string {
	var missing, revoked int
	for _, v := range fp.Reuses {
		if slices.Contains(experiments, v.Way) {
			missing += v.Outcomes[oracle.FailRevocationMissing.String()]
			revoked += v.Revoked
		}
	}
	var out []string
	for _, v := range fp.Violations {
		if !slices.Contains(experiments, v.Experiment) || slices.Contains(out, v.Key) {
			continue
		}
		if v.Key == oracle.FailRevocationMissing.String() && missing < revoked {
			continue
		}
		out = append(out, v.Key)
	}
	slices.Sort(out)
	return out
}

// runFailures runs the engine for 0.8 s against a fresh server with one
// chaos kind and returns the sorted set of fail_* outcomes it reported
// (fail_revocation_missing by majority, see probeFailures). It reports
// errors with t.Error: it runs outside the test's goroutine.
func runFailures(t *testing.T, server string, declared oracle.Policy, mix string, margin time.Duration) []string {
	const sessions = 8
	chaos, err := attack.ParseChaos(mix)
	if err != nil {
		t.Error(err)
		return nil
	}
	srv, creds := rig.Authserver(t, server, sessions)
	transport := attack.NewTransport(sessions + 64)
	defer transport.CloseIdleConnections()
	pool := rig.SignedInPool(t, srv.URL, sessions, creds, transport)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const duration = 800 * time.Millisecond
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: duration})
	eng, err := attack.New(attack.Config{
		Pool: pool, Creds: creds, Transport: transport,
		Rate: 30, Duration: duration, Timeout: 5 * time.Second,
		Policy: declared, ProbeMargin: margin, Chaos: chaos, Seed: 7, Recorder: rec,
	})
	if err != nil {
		t.Error(err)
		return nil
	}
	rep, err := eng.Run(ctx)
	if err != nil {
		t.Error(err)
		return nil
	}
	sum := rec.Summary(results.RunMeta{Elapsed: rep.Elapsed, Families: rep.Families})
	// fail_revocation_missing by majority of incidents, as for the probe.
	missing := rep.Families[oracle.FamilyRevocationMissing]
	revoked := rep.Families[oracle.FamilyRevokedCorrectly] + rep.Families[oracle.FamilyZombie]
	var out []string
	for o, n := range sum.Outcomes {
		if oracle.Outcome(o) == oracle.FailRevocationMissing && missing < revoked {
			continue
		}
		if oracle.Outcome(o).IsFailure() && n > 0 {
			out = append(out, oracle.Outcome(o).String())
		}
	}
	slices.Sort(out)
	return out
}
