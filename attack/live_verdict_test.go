package attack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/rig"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// The live verdict judges user thresholds with the final verdict's code: a
// lost threshold shows in the snapshot within two seconds (one judging
// interval after liveAfter), and a kept one never does.
func TestLiveVerdictNamesALostThreshold(t *testing.T) {
	for _, tc := range []struct {
		expr    string
		failing bool
	}{
		{"latency.p99<1us", true},
		{"latency.p99<30s", false},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			t.Parallel()
			ths, err := results.ParseThresholds([]string{tc.expr})
			if err != nil {
				t.Fatal(err)
			}
			declared, _ := oracle.ParsePolicy("strict")
			srv, creds := rig.Authserver(t, "strict", 10)
			transport := NewTransport(64)
			t.Cleanup(transport.CloseIdleConnections)
			pool := rig.SignedInPool(t, srv.URL, 10, creds, transport)
			const dur = 4 * time.Second
			rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: dur})
			eng, err := New(Config{
				Pool: pool, Creds: creds, Transport: transport, Rate: 100, Duration: dur,
				Timeout: 5 * time.Second, Policy: declared, Recorder: rec,
				Live: func(s *results.Summary) string {
					for _, th := range ths {
						if v, ok := th.Check(s); !ok {
							return fmt.Sprintf("%s (value %g)", th.Expr, v)
						}
					}
					return ""
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), dur+30*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { _, err := eng.Run(ctx); done <- err }()

			var failingAt time.Duration = -1
			var lastFailing string
			for running := true; running; {
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
					running = false
				case <-time.After(50 * time.Millisecond):
					s := eng.Snapshot()
					if s.Failing != "" && failingAt < 0 {
						failingAt, lastFailing = s.Elapsed, s.Failing
					}
				}
			}
			switch {
			case tc.failing && failingAt < 0:
				t.Fatal("the live verdict never named the lost threshold")
			case tc.failing && failingAt > 3*time.Second: // due by 1s+250ms; slack for a loaded machine
				t.Errorf("named only at %v of run time", failingAt)
			case tc.failing && !strings.Contains(lastFailing, tc.expr):
				t.Errorf("live verdict %q does not name %s", lastFailing, tc.expr)
			case !tc.failing && failingAt >= 0:
				t.Errorf("a kept threshold showed as failing at %v: %s", failingAt, lastFailing)
			}
		})
	}
}
