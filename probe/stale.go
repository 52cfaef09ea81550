package probe

import (
	"context"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/wait"
	"github.com/refreshstorm/refreshstorm/oracle"
)

// staleExperiment: T0→T1, then the client restores T0 from a stale jar
// outside the measured window; the newest token and access credential
// are checked as after any rejected reuse.
func (d *prober) staleExperiment(ctx context.Context) error {
	delay := 100 * time.Millisecond
	if d.fp.Grace.Kind == GraceWindow || d.fp.Grace.Kind == GraceAtLeast {
		delay = d.fp.Grace.upper() + d.opt.ZombieMargin
	}
	f, err := d.signIn(ctx)
	if err != nil {
		return err
	}
	defer d.signOut(ctx, f)
	heads, err := d.chain(ctx, f, 1)
	if err != nil {
		return err
	}
	t0, t1, a1 := heads[0], heads[1], f.access
	if !wait.For(ctx, delay) {
		return ctx.Err()
	}
	r, err := d.refresh(ctx, t0, f.csrf)
	if err != nil {
		return err
	}
	a := oracle.Attempt{Presented: oracle.PresentedParent, Who: oracle.Stale, Age: delay, Token: t0, KnownChild: t1, KnownHead: t1}
	j := d.judgeReuse(a, r)
	if !r.rejected() {
		d.recordReuse(WayStale, delay, j, nil)
		return nil
	}
	rv, err := d.follow(ctx, f, WayStale, delay, t1, a1)
	if err != nil {
		return err
	}
	d.recordReuse(WayStale, delay, j, &rv)
	return nil
}
