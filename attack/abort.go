package attack

import (
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// judgeEvery is how often the thresholds are measured against the run so
// far, for the live verdict and for abort.
const judgeEvery = time.Second

// liveAfter is how long a run goes before the live verdict judges every
// threshold: in the first instants nothing has been accepted yet, which the
// final verdict would rightly call a failure.
const liveAfter = time.Second

// judgeSoFar measures the run so far, once a second, with the same
// threshold code as the final verdict: Config.Live gives the live verdict
// the dashboard shows, and Config.Abort, once AbortAfter has passed, stops
// the attack when it names a reason.
func (c *collector) judgeSoFar(now time.Time) {
	cfg := c.e.cfg
	if (cfg.Abort == nil && cfg.Live == nil) || c.aborted != nil || now.Before(c.nextJudge) {
		return
	}
	at := now.Sub(c.e.start)
	wantLive := cfg.Live != nil && at >= liveAfter
	wantAbort := cfg.Abort != nil && at >= cfg.AbortAfter
	if !wantLive && !wantAbort {
		return
	}
	c.nextJudge = now.Add(judgeEvery)
	meta := results.RunMeta{Elapsed: at, RaceLogouts: c.raceLogouts, Families: c.families,
		Stages: StageMetas(c.e.pacer.Stages(at))}
	live := uint64(c.e.pool.Len()) - c.lostSlots
	meta.Families[oracle.FamilyHealthy] += live
	sofar := c.rec.Peek(meta)
	if wantLive {
		c.liveFailing = cfg.Live(sofar)
	}
	if wantAbort {
		if reason := cfg.Abort(sofar); reason != "" {
			c.aborted = &results.Abort{Reason: reason, AtS: at.Seconds()}
			c.e.Stop()
		}
	}
}
