package attack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/internal/memory"
	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// responder answers every refresh like a correct server would, from
// memory: a fresh refresh cookie per call. It isolates the harness's own
// per-request cost from the network and the server.
type responder struct{ n atomic.Uint64 }

var refreshBody = []byte(`{"ok":true,"action":"refresh","refreshed":true,"session":{"session_family_id":"fam","access_expires_at":"2026-01-01T00:00:00Z","refresh_expires_at":"2026-01-02T00:00:00Z"}}`)

func (r *responder) RoundTrip(req *http.Request) (*http.Response, error) {
	n := r.n.Add(1)
	tok := strconv.FormatUint(n, 36)
	h := make(http.Header, 4)
	h["Content-Type"] = []string{"application/json"}
	h["Set-Cookie"] = []string{
		"__Host-access=a" + tok + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600",
		"__Host-refresh=r" + tok + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=86400",
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, ContentLength: int64(len(refreshBody)),
		Body: io.NopCloser(bytes.NewReader(refreshBody)), Request: req}, nil
}

// benchEngine is an engine over 64 signed-in sessions of the cookie
// profile whose transport answers from memory (responder).
func benchEngine(b *testing.B) (*Engine, *targets.Pool, *results.Recorder) {
	profile, err := targets.NewCookieProfile(targets.CookieConfig{BaseURL: "http://127.0.0.1:9"})
	if err != nil {
		b.Fatal(err)
	}
	pool := targets.NewPool(64, profile, targets.NewFingerprinter())
	for _, s := range pool.Sessions() {
		s.Adopt(targets.Family{ID: "fam", Refresh: "r0", Access: "a0", CSRF: "csrf"}, "fp", time.Now())
		pool.Release(s)
	}
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now()})
	e, err := New(Config{Pool: pool, Transport: &responder{}, Rate: 1000, Recorder: rec, Timeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	e.pacer = newLivePacer(context.Background(), 1000, 0)
	return e, pool, rec
}

// BenchmarkRequestPath measures what refreshstorm adds to one request:
// targeter (lease, header), transport bookkeeping (read, parse cookies
// and body, judge, rotate, release), and the collector (observation,
// HDR recording). The allocations include the responder's own (about 8).
func BenchmarkRequestPath(b *testing.B) {
	e, pool, rec := benchEngine(b)
	e.start = time.Now()
	c := newCollector(e)
	targeter := pool.Targeter(e.assignChaos)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var tgt vegeta.Target
		if err := targeter(&tgt); err != nil {
			b.Fatal(err)
		}
		req, _ := tgt.Request()
		started := time.Now()
		resp, err := e.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		res := vegeta.Result{Seq: uint64(i), Code: uint16(resp.StatusCode), Timestamp: started,
			Latency: time.Since(started), Body: body, Headers: resp.Header}
		c.result(&res)
	}
	b.StopTimer()
	if got := rec.Snapshot(time.Now()).Outcomes[oracle.OKRotated]; got != uint64(b.N) {
		b.Fatalf("ok_rotated %d of %d", got, b.N)
	}
}

// BenchmarkIdleSessionMemory reports what an idle session with a full
// chain costs, as live heap and as resident memory (the budget: at most
// 2 KiB of RSS). REFRESHSTORM_BENCH_SESSIONS sets how many (default
// 100,000). The heap is settled as a run settles it after the bootstrap;
// then garbage is made as requests make it, so that the RSS includes the
// collector's headroom. Tokens are views of Set-Cookie lines, as the
// parser leaves them. Linux only for the RSS.
//
//	REFRESHSTORM_BENCH_SESSIONS=1000000 go test -run xxx -bench IdleSessionMemory -benchtime 1x ./attack/
func BenchmarkIdleSessionMemory(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("REFRESHSTORM_BENCH_SESSIONS")); err == nil && v > 0 {
		n = v
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	profile, _ := targets.NewCookieProfile(targets.CookieConfig{BaseURL: "http://127.0.0.1:9"})
	tok := func(i int) string { return fmt.Sprintf("%043d", i) } // 43 chars: 32 random bytes in base64url
	view := func(name, t, attrs string) string {
		line := name + "=" + t + attrs
		return line[len(name)+1 : len(name)+1+len(t)]
	}
	refresh := func(i int) string {
		return view("__Host-refresh", tok(i), "; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Strict")
	}
	access := func(i int) string {
		return view("__Host-access", tok(i)+tok(i+1), "; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Strict")
	}
	for i := 0; i < b.N; i++ {
		heap0 := memory.Settle().HeapBytes
		rss0 := memory.Resident()
		pool := targets.NewPool(n, profile, targets.NewFingerprinter())
		now := time.Now()
		fp := targets.NewFingerprinter()
		for j, s := range pool.Sessions() {
			fam := fmt.Sprintf("%022d", j) // 16 random bytes in base64url
			s.Adopt(targets.Family{ID: fam, Refresh: refresh(j), Access: access(j), CSRF: tok(j + 4)}, fp.Of(fam), now)
			for g := 0; g < targets.MaxAncestors; g++ {
				s.Rotate(refresh(j+10+g), access(j+20+g), now)
			}
			pool.Release(s)
		}
		pool.Compact()
		st := memory.Settle()
		settled := memory.Resident()
		// Request garbage: four times the headroom in 2 KiB pieces.
		var sink []byte
		loaded := settled
		for k := 0; k < 4*memory.Headroom/2048; k++ {
			sink = make([]byte, 2048)
			sink[0] = byte(k)
			if k%4096 == 0 {
				loaded = max(loaded, memory.Resident())
			}
		}
		runtime.KeepAlive(sink)
		b.ReportMetric(float64(st.HeapBytes-heap0)/float64(n), "heap-B/session")
		if rss0 > 0 {
			b.ReportMetric(float64(settled-rss0)/float64(n), "rss-B/session")
			b.ReportMetric(float64(loaded-rss0)/float64(n), "rss-loaded-B/session")
		}
		b.ReportMetric(float64(st.GCPercent), "gogc")
		runtime.KeepAlive(pool)
	}
}

// BenchmarkThroughputVsVegeta compares, in one process against the same
// kind of loopback authserver and with the same worker bound, the
// refreshes per second of refreshstorm at max rate with those of a plain
// vegeta attack (the budget asks for at least 1.0). vegeta replays the 64
// sessions' first tokens round-robin to a server that accepts rotated
// tokens, so the server does one rotation per request for both. Each
// iteration runs the pair in both orders (3 s per run) and reports the
// ratio of the sums. Run with -benchtime=1x.
func BenchmarkThroughputVsVegeta(b *testing.B) {
	const workers, sessions, dur = 16, 64, 3 * time.Second
	for i := 0; i < b.N; i++ {
		var plain, storm float64
		for pair := 0; pair < 2; pair++ {
			if pair == 0 {
				plain += vegetaRPS(b, workers, sessions, dur)
				storm += refreshstormRPS(b, workers, sessions, dur)
			} else {
				storm += refreshstormRPS(b, workers, sessions, dur)
				plain += vegetaRPS(b, workers, sessions, dur)
			}
		}
		b.ReportMetric(plain/2, "vegeta_rps")
		b.ReportMetric(storm/2, "refreshstorm_rps")
		b.ReportMetric(storm/plain, "ratio")
	}
}

const benchServerPolicy = "strict,defect=accept-rotated"

func vegetaRPS(b *testing.B, workers uint64, sessions int, dur time.Duration) float64 {
	srv, creds := rig.Authserver(b, benchServerPolicy, sessions)
	defer srv.Close()
	transport := NewTransport(int(workers) + 8)
	defer transport.CloseIdleConnections()
	pool := rig.SignedInPool(b, srv.URL, sessions, creds, transport)
	tgts := make([]vegeta.Target, 0, sessions)
	for _, s := range pool.Sessions() {
		h := s.Header().Clone()
		h.Del(targets.SessionHeader)
		tgts = append(tgts, vegeta.Target{Method: http.MethodPost, URL: srv.URL + "/api/auth/refresh", Header: h})
	}
	atk := vegeta.NewAttacker(vegeta.Client(&http.Client{Transport: transport, Timeout: 10 * time.Second}),
		vegeta.Workers(workers), vegeta.MaxWorkers(workers))
	ok := 0
	start := time.Now()
	for r := range atk.Attack(vegeta.NewStaticTargeter(tgts...), vegeta.ConstantPacer{}, dur, "plain") {
		if r.Code == 200 {
			ok++
		}
	}
	return float64(ok) / time.Since(start).Seconds()
}

func refreshstormRPS(b *testing.B, workers uint64, sessions int, dur time.Duration) float64 {
	srv, creds := rig.Authserver(b, benchServerPolicy, sessions)
	defer srv.Close()
	transport := NewTransport(int(workers) + 8)
	defer transport.CloseIdleConnections()
	pool := rig.SignedInPool(b, srv.URL, sessions, creds, transport)
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: dur})
	e, err := New(Config{Pool: pool, Creds: creds, Transport: transport, Rate: 0, Duration: dur,
		MaxWorkers: workers, Recorder: rec})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := e.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	snap := rec.Snapshot(time.Now())
	if f := snap.Failures(); f > 0 {
		b.Fatalf("%d failures at max rate", f)
	}
	return float64(snap.Outcomes[oracle.OKRotated]) / elapsed.Seconds()
}

// BenchmarkClientTimeout compares two ways of putting --timeout on the
// requests vegeta sends through the engine, in one run: http.Client.Timeout
// (net/http then starts a goroutine with a timer per request, because the
// engine is a RoundTripper it does not know) and the engine's own context
// deadline, which a run uses. The responder answers from memory, so the
// difference is the timeout's own cost.
//
//	go test -run xxx -bench ClientTimeout -benchmem ./attack/
func BenchmarkClientTimeout(b *testing.B) {
	for _, bc := range []struct {
		name    string
		timeout time.Duration
	}{{"client-timeout", 10 * time.Second}, {"engine-deadline", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			e, pool, _ := benchEngine(b)
			client := &http.Client{Transport: e, Timeout: bc.timeout, CheckRedirect: noRedirects}
			targeter := pool.Targeter(e.assignChaos)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					var tgt vegeta.Target
					if err := targeter(&tgt); err != nil {
						b.Fatal(err)
					}
					req, _ := tgt.Request()
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
					if _, ok := resp.Request.Context().Deadline(); !ok {
						b.Fatal("the request had no deadline")
					}
				}
			})
		})
	}
}
