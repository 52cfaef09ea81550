package attack

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestMeasureBurstSpread measures how far apart the two requests of a
// concurrent-duplicate burst are, released on one barrier as the engine
// releases them, over HTTP/1.1 (a connection each) and HTTP/2 (streams of
// one connection): at the barrier (what summary.json's
// concurrent_spread_ms reports), when each request was written, and when
// each reached the server. It is a measurement, not a check: it runs only
// with REFRESHSTORM_MEASURE_SPREAD=1 and prints a table.
//
//	REFRESHSTORM_MEASURE_SPREAD=1 go test ./attack -run TestMeasureBurstSpread -v
func TestMeasureBurstSpread(t *testing.T) {
	if os.Getenv("REFRESHSTORM_MEASURE_SPREAD") == "" {
		t.Skip("a measurement: set REFRESHSTORM_MEASURE_SPREAD=1")
	}
	const bursts, warmup = 200, 20
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		mu.Lock()
		arrived[r.Header.Get("X-Burst")] = now
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("%-5s %-9s %9s %9s %9s", "proto", "spread at", "p50 ms", "p99 ms", "max ms")
	for _, h2 := range []bool{false, true} {
		tr, err := NewClientTransport(8, ClientOptions{CACerts: []string{ca}, HTTP2: h2, HTTP1: !h2})
		if err != nil {
			t.Fatal(err)
		}
		var atBarrier, atWrite, atServer []float64
		for b := range bursts + warmup {
			var start, wrote [2]time.Time
			keys := [2]string{}
			release := make(chan struct{})
			var wg sync.WaitGroup
			for i := range 2 {
				keys[i] = fmt.Sprintf("%v-%d-%d", h2, b, i)
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/auth/refresh", nil)
					req.Header.Set("X-Burst", keys[i])
					req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
						WroteRequest: func(httptrace.WroteRequestInfo) { wrote[i] = time.Now() },
					}))
					<-release
					start[i] = time.Now()
					resp, err := tr.RoundTrip(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
				}()
			}
			close(release)
			wg.Wait()
			if b < warmup {
				continue
			}
			mu.Lock()
			s0, s1 := arrived[keys[0]], arrived[keys[1]]
			mu.Unlock()
			atBarrier = append(atBarrier, absMs(start[0].Sub(start[1])))
			atWrite = append(atWrite, absMs(wrote[0].Sub(wrote[1])))
			atServer = append(atServer, absMs(s0.Sub(s1)))
		}
		tr.CloseIdleConnections()
		name := "h1"
		if h2 {
			name = "h2"
		}
		for _, row := range []struct {
			what string
			v    []float64
		}{{"barrier", atBarrier}, {"write", atWrite}, {"server", atServer}} {
			p50, p99, mx := quantiles(row.v)
			t.Logf("%-5s %-9s %9.3f %9.3f %9.3f", name, row.what, p50, p99, mx)
		}
	}
}

func absMs(d time.Duration) float64 {
	if d < 0 {
		d = -d
	}
	return float64(d) / float64(time.Millisecond)
}

func quantiles(v []float64) (p50, p99, mx float64) {
	s := slices.Clone(v)
	slices.Sort(s)
	at := func(q float64) float64 { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return at(0.5), at(0.99), s[len(s)-1]
}
