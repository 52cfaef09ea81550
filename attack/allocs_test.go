package attack

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// replayTransport answers from pre-built responses, each with its own
// refresh token, reusing them round-robin: net/http's own allocations are
// not counted, only the harness's.
type replayTransport struct {
	resps  []*http.Response
	bodies []*bytes.Reader
	next   int
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func newReplayTransport(n int) *replayTransport {
	t := &replayTransport{}
	for i := 0; i < n; i++ {
		tok := "r" + strconv.Itoa(i)
		h := http.Header{
			"Content-Type": {"application/json"},
			"Set-Cookie": {
				"__Host-access=a" + tok + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600",
				"__Host-refresh=" + tok + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=86400",
			},
		}
		// The annotations the transport writes are added once here, as
		// they would be on the first use of a reused map.
		for _, k := range []string{hdrOutcome, hdrSession, hdrFamily} {
			h[k] = nil
		}
		body := bytes.NewReader(refreshBody)
		t.bodies = append(t.bodies, body)
		t.resps = append(t.resps, &http.Response{StatusCode: 200, Status: "200 OK", Header: h,
			ContentLength: int64(len(refreshBody)), Body: nopCloser{body}})
	}
	return t
}

func (t *replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	i := t.next % len(t.resps)
	t.next++
	t.bodies[i].Reset(refreshBody)
	r := t.resps[i]
	r.Body, r.Request = nopCloser{t.bodies[i]}, req
	return r, nil
}

// TestAllocsPerRequest measures, with testing.AllocsPerRun, the
// allocations of the harness's own per-request code, part by part, and
// checks that each part did its job. The one allocation left in the
// bookkeeping is the new refresh cookie's header value, built once per
// rotation and the session's only copy of the new token: a header value
// must be an immutable string, since net/http's HTTP/2 encoder may keep it
// in its compression table after the request, and pointing into the
// server's Set-Cookie line instead would keep that whole line alive for
// every token of every chain.
func TestAllocsPerRequest(t *testing.T) {
	if raceDetector {
		t.Skip("counts are meaningless under -race (sync.Pool drops items on purpose); .ci/steps/10-allocs.sh runs this test without it")
	}
	profile, err := targets.NewCookieProfile(targets.CookieConfig{BaseURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	const sessions = 16
	pool := targets.NewPool(sessions, profile, targets.NewFingerprinter())
	for _, s := range pool.Sessions() {
		s.Adopt(targets.Family{ID: "fam", Refresh: "r-first", Access: "a0", CSRF: "csrf"}, "fp", time.Now())
		pool.Release(s)
	}
	dir, err := results.CreateDirWith(filepath.Join(t.TempDir(), "run"), results.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	start := time.Now()
	rec := results.NewRecorder(results.RecorderOptions{Start: start, Dir: dir})
	replay := newReplayTransport(3 * sessions)
	e, err := New(Config{Pool: pool, Transport: replay, Rate: 1000, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	e.pacer = newLivePacer(context.Background(), 1000, 0)
	e.start = start
	c := newCollector(e)
	targeter := pool.Targeter(e.assignChaos)

	// A request object reused across runs: vegeta builds a new one per
	// request, and that is vegeta's cost.
	req, _ := http.NewRequest(http.MethodPost, profile.RefreshURL(), nil)
	var tgt vegeta.Target
	fill := func() *targets.Session {
		if err := targeter(&tgt); err != nil {
			t.Fatal(err)
		}
		for k, v := range tgt.Header {
			req.Header[k] = v
		}
		idx, _ := strconv.Atoi(tgt.Header[targets.SessionHeader][0])
		return pool.Session(idx)
	}
	const runs = 2000
	check := func(part string, want float64, f func()) {
		t.Helper()
		f() // warm: first use of maps and pools
		if got := testing.AllocsPerRun(runs, f); got != want {
			t.Errorf("%s: %v allocations per request, want %v", part, got, want)
		} else {
			t.Logf("%-22s %v allocations per request", part, got)
		}
	}

	check("targeter", 0, func() {
		s := fill()
		if tgt.Method != http.MethodPost || tgt.URL != profile.RefreshURL() || tgt.Header["Cookie"][0] != "__Host-refresh="+s.Refresh {
			t.Fatalf("target %s %s %v does not present session %d's head", tgt.Method, tgt.URL, tgt.Header, s.Index)
		}
		pool.Sent(s)
		pool.Release(s)
	})

	attempt := oracle.Attempt{Family: "fam", Token: "r1"}
	reply := oracle.Reply{Status: 200, NewRefresh: "r2", NewAccess: "a2", FamilyID: "fam"}
	check("oracle Judge", 0, func() {
		if j := oracle.Judge(attempt, e.cfg.Policy, e.cfg.TimingMargin, reply); j.Outcome != oracle.OKRotated || !j.Accepted {
			t.Fatalf("judged %v", j.Outcome)
		}
	})

	recorded := rec.Snapshot(time.Now()).Outcomes[oracle.OKRotated]
	obs := results.Observation{Start: start, Kind: results.KindRefresh, Status: 200, Outcome: oracle.OKRotated,
		Latency: time.Millisecond, Corrected: time.Millisecond, Session: "fp", Family: "fp"}
	check("recorder Record", 0, func() {
		obs.Seq++
		rec.Record(&obs)
	})
	if got := rec.Snapshot(time.Now()).Outcomes[oracle.OKRotated] - recorded; got != runs+2 { // our warm-up run and AllocsPerRun's
		t.Errorf("recorder counted %d of %d", got, runs+2)
	}

	s := fill()
	resp, _ := e.RoundTrip(req)
	res := vegeta.Result{Code: 200, Timestamp: start, Latency: time.Millisecond, Headers: resp.Header}
	recorded = rec.Snapshot(time.Now()).Outcomes[oracle.OKRotated]
	check("collector", 0, func() {
		res.Seq++
		c.result(&res)
	})
	if got := rec.Snapshot(time.Now()).Outcomes[oracle.OKRotated] - recorded; got != runs+2 { // our warm-up run and AllocsPerRun's
		t.Errorf("collector recorded %d ok_rotated of %d", got, runs+2)
	}

	// The request deadline is measured apart: it is net/http plumbing
	// (context.WithTimeout and Request.WithContext) that RoundTrip does in
	// place of http.Client.Timeout, whose path for a custom transport costs
	// a goroutine, a timer, two channels and more allocations per request.
	deadlineAllocs := testing.AllocsPerRun(runs, func() {
		r, cancel := withDeadline(req, e.cfg.Timeout)
		if _, ok := r.Context().Deadline(); !ok {
			t.Fatal("no deadline on the request")
		}
		cancel()
	})
	t.Logf("%-22s %v allocations per request (net/http's context and request copy)", "request deadline", deadlineAllocs)
	check("transport bookkeeping", 1+deadlineAllocs, func() {
		s = fill()
		before, gen := s.Refresh, s.Generation
		resp, err := e.RoundTrip(req)
		if err != nil || resp.Header[hdrOutcome][0] != "ok_rotated" || resp.Body != http.NoBody {
			t.Fatalf("round trip: %v %v", err, resp.Header[hdrOutcome])
		}
		if s.Generation != gen+1 || s.Refresh == before || s.Family != "fam" {
			t.Fatalf("session %d not rotated: generation %d, family %q", s.Index, s.Generation, s.Family)
		}
		if a, _ := s.Ancestor(1); a.Token != before {
			t.Fatalf("parent %q, want %q", a.Token, before)
		}
	})
	if pool.Idle() != sessions {
		t.Errorf("%d of %d sessions idle: a lease was not returned", pool.Idle(), sessions)
	}
}
