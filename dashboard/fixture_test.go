package dashboard

import (
	"sync"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// fakeControl records every call; SetRate answers with the rate asked for.
type fakeControl struct {
	mu         sync.Mutex
	stops      int
	interrupts int
	paused     []bool
	rates      []float64
}

func (f *fakeControl) Stop()      { f.mu.Lock(); f.stops++; f.mu.Unlock() }
func (f *fakeControl) Interrupt() { f.mu.Lock(); f.interrupts++; f.mu.Unlock() }
func (f *fakeControl) SetPaused(p bool) {
	f.mu.Lock()
	f.paused = append(f.paused, p)
	f.mu.Unlock()
}
func (f *fakeControl) SetRate(r float64) float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rates = append(f.rates, r)
	return r
}

type calls struct {
	stops, interrupts int
	paused            []bool
	rates             []float64
}

func (f *fakeControl) calls() calls {
	f.mu.Lock()
	defer f.mu.Unlock()
	return calls{f.stops, f.interrupts, append([]bool(nil), f.paused...), append([]float64(nil), f.rates...)}
}

var fixtureHeader = Header{
	Target: "embedded authserver (127.0.0.1:41873)",
	Policy: "grace=10s,reuse=revoke-family",
	Chaos:  "lost-response=0.02,concurrent=0.02:3,replay=0.01:2s",
}

// forkSnapshot is a small run with three fail_fork and one recent failure.
func forkSnapshot() results.Snapshot {
	var s results.Snapshot
	s.Elapsed = 20 * time.Second
	s.Duration = time.Minute
	s.RequestedRate = 100
	s.Total = 2003
	s.Refresh = 1990
	s.Outcomes[oracle.OKRotated] = 2000
	s.Outcomes[oracle.FailFork] = 3
	s.LastSecond = results.Quantiles{P50: 1200 * time.Microsecond, P90: 4 * time.Millisecond,
		P99: 12300 * time.Microsecond, P999: 20 * time.Millisecond, Count: 100}
	s.RecentFailures = []results.FailureEvent{{
		Time: time.Date(2025, 3, 1, 12, 0, 7, 0, time.UTC), Kind: results.KindDuplicate,
		Chaos: "concurrent", Session: "s3c0ffee99", Family: "fab12cd34", Status: 200,
		Outcome: oracle.FailFork, Detail: "two 200s for one parent: children c1 and c2 both refresh",
	}}
	return s
}

// busySnapshot is a richer run: many outcomes, chaos, a minute of seconds
// and ten recent failures.
func busySnapshot() results.Snapshot {
	s := forkSnapshot()
	s.Elapsed = 75*time.Second + 500*time.Millisecond
	s.Duration = 2 * time.Minute
	s.Total = 7480
	s.Refresh = 7000
	s.Dropped = 4
	s.Outcomes[oracle.OKRotated] = 6900
	s.Outcomes[oracle.OKGraceSameChild] = 140
	s.Outcomes[oracle.RejReuse] = 70
	s.Outcomes[oracle.RejRevokedFamily] = 160
	s.Outcomes[oracle.RejCSRF] = 75
	s.Outcomes[oracle.RateLimited] = 12
	s.Outcomes[oracle.FailFork] = 3
	s.Outcomes[oracle.FailFalsePositiveReuse] = 9
	s.Outcomes[oracle.FailZombieFamily] = 1
	s.Outcomes[oracle.Timeout] = 10
	s.Whole = results.Quantiles{P50: time.Millisecond, P90: 3 * time.Millisecond, P99: 9 * time.Millisecond, P999: 31 * time.Millisecond, Count: 7480}
	s.WholeCorrected = results.Quantiles{P50: 1100 * time.Microsecond, P90: 3500 * time.Microsecond, P99: 14 * time.Millisecond, P999: 250 * time.Millisecond, Count: 7480}
	for i := 15; i < 76; i++ { // second 75 is still running
		s.Seconds = append(s.Seconds, results.SecondPoint{Second: i, Requests: uint64(95 + i%7),
			Rate: float64(95 + i%7), P50: time.Duration(900+10*(i%5)) * time.Microsecond,
			P99: time.Duration(8+i%4) * time.Millisecond})
	}
	s.Families[oracle.FamilyHealthy] = 480
	s.Families[oracle.FamilyRevokedCorrectly] = 17
	s.Families[oracle.FamilyRevokedSpuriously] = 9
	s.Families[oracle.FamilyForked] = 3
	s.Families[oracle.FamilyZombie] = 1
	s.Sessions = results.SessionStats{Total: 500, Idle: 488, InFlight: 12, ReSignedIn: 27}
	s.RaceLogouts = 9
	s.ChaosInjected = map[string]uint64{"lost-response": 140, "concurrent": 140, "replay": 70}
	s.ChaosProduced = map[string]map[oracle.Outcome]uint64{
		"lost-response": {oracle.OKGraceSameChild: 131, oracle.FailFalsePositiveReuse: 9},
		"concurrent":    {oracle.OKGraceSameChild: 9, oracle.FailFork: 3, oracle.RejReuse: 128},
		"replay":        {oracle.RejReuse: 69, oracle.FailZombieFamily: 1},
	}
	base := time.Date(2025, 3, 1, 12, 1, 0, 0, time.UTC)
	for i := range 10 {
		o := oracle.FailFalsePositiveReuse
		if i%4 == 3 {
			o = oracle.FailFork
		}
		s.RecentFailures = append(s.RecentFailures, results.FailureEvent{
			Time: base.Add(time.Duration(i) * 3 * time.Second), Kind: results.KindDuplicate,
			Chaos: "lost-response", Session: "sess0000" + string(rune('a'+i)), Family: "fam00000" + string(rune('a'+i)),
			Status: 401, Outcome: o, Detail: "retry inside the 10s grace window got 401 invalid_or_expired_session",
		})
	}
	s.RecentFailures = s.RecentFailures[len(s.RecentFailures)-10:]
	return s
}

func snapOf(s results.Snapshot) func() results.Snapshot {
	return func() results.Snapshot { return s }
}
