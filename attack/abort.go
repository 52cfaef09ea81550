package attack

import (
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// abortEvery is how often the abort thresholds are checked.
const abortEvery = time.Second

// checkAbort measures the run so far against Config.Abort once
// AbortAfter has passed, and stops the attack when it names a reason.
func (c *collector) checkAbort(now time.Time) {
	if c.e.cfg.Abort == nil || c.aborted != nil {
		return
	}
	at := now.Sub(c.e.start)
	if at < c.e.cfg.AbortAfter || now.Before(c.nextAbort) {
		return
	}
	c.nextAbort = now.Add(abortEvery)
	meta := results.RunMeta{Elapsed: at, RaceLogouts: c.raceLogouts, Families: c.families,
		Stages: StageMetas(c.e.pacer.Stages(at))}
	live := uint64(c.e.pool.Len()) - c.lostSlots
	meta.Families[oracle.FamilyHealthy] += live
	if reason := c.e.cfg.Abort(c.rec.Peek(meta)); reason != "" {
		c.aborted = &results.Abort{Reason: reason, AtS: at.Seconds()}
		c.e.Stop()
	}
}
