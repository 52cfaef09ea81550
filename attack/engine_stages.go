package attack

import (
	"context"
	"time"
)

// newPacer builds the run's pacer: the stage plan, or one constant stage.
func (e *Engine) newPacer(ctx context.Context) *livePacer {
	if len(e.cfg.Stages) > 0 {
		p := newStagePacer(ctx, append([]Stage(nil), e.cfg.Stages...))
		if e.cfg.NextStage != nil {
			p.openPlan()
		}
		return p
	}
	return newLivePacer(ctx, e.cfg.Rate, e.cfg.Duration)
}

// reportStages adds what the pacer asked of each stage to rep.
func (e *Engine) reportStages(rep *Report) {
	end := rep.Elapsed
	rep.Pauses = e.pacer.Pauses(end)
	rep.RequestedPerSecond = e.pacer.RequestedPerSecond(end)
	rep.Stages = e.pacer.Stages(end)
	if e.pacer.unpaced {
		for i := range rep.Stages {
			rep.Stages[i].Requested = 0
		}
	}
}

// PlannedDuration is how long the stages (or Duration) ask the load to run.
func (c Config) PlannedDuration() time.Duration {
	if len(c.Stages) == 0 {
		return c.Duration
	}
	var d time.Duration
	for _, s := range c.Stages {
		d += s.Duration
	}
	return d
}
