package attack

import (
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// snapshotEvery is how often the collector publishes a snapshot for the
// dashboard and metrics.
const snapshotEvery = 250 * time.Millisecond

// collector is the single owner of the recorder and of the run's
// counters. Everything it learns arrives on channels.
type collector struct {
	e           *Engine
	rec         *results.Recorder
	families    [oracle.NumFamilyStates]uint64
	raceLogouts uint64
	reSignIns   uint64
	lostSlots   uint64
	spread      *hdrhistogram.Histogram
	outcomes    map[string]oracle.Outcome
	nextProg    time.Time
	steered     int // stages NextStage has judged
	nextJudge   time.Time
	liveFailing string // the first threshold the run so far fails; "" = passing
	aborted     *results.Abort
}

func newCollector(e *Engine) *collector {
	c := &collector{
		e:        e,
		rec:      e.cfg.Recorder,
		spread:   hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 3),
		outcomes: make(map[string]oracle.Outcome, oracle.NumOutcomes),
	}
	for _, o := range oracle.AllOutcomes() {
		c.outcomes[o.String()] = o
	}
	return c
}

// consume reads vegeta results and events until both are closed.
// resultsDone runs (in its own goroutine) once vegeta's channel closes;
// it must eventually close the events channel.
func (c *collector) consume(res <-chan *vegeta.Result, resultsDone func()) {
	ticker := time.NewTicker(snapshotEvery)
	defer ticker.Stop()
	events := c.e.events
	// Progress lines fall on the run clock's boundaries (1s, 2s, … after
	// the start), not on the next snapshot tick, so a cumulative count
	// does not jitter by up to a tick's worth of requests.
	c.nextProg = c.e.start.Add(c.e.cfg.Interval)
	prog := time.NewTimer(time.Until(c.nextProg))
	defer prog.Stop()
	for res != nil || events != nil {
		select {
		case r, ok := <-res:
			if !ok {
				res = nil
				go resultsDone()
				continue
			}
			c.result(r)
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			c.event(ev)
		case now := <-ticker.C:
			c.publish(now)
		case <-prog.C:
			c.progress()
			prog.Reset(time.Until(c.nextProg))
		}
	}
	c.publish(time.Now())
}

// signInFindings records, before the load, the cookie problems the
// bootstrap sign-ins met: the attributes of a token cookie matter on
// every answer that sets one, not only on refreshes.
func (c *collector) signInFindings() {
	for _, s := range c.e.pool.Sessions() {
		if s.CookieProblem == "" {
			continue
		}
		c.rec.Record(&results.Observation{
			Start: c.e.start, Session: s.FP(), Family: s.FamilyFP(), Kind: results.KindSignIn,
			Status: 200, Outcome: oracle.FailCookieAttrs, Detail: "sign-in: " + s.CookieProblem,
		})
		s.CookieProblem = ""
	}
}

// result turns one vegeta Result into an observation.
func (c *collector) result(r *vegeta.Result) {
	h := r.Headers
	name := first(h, hdrOutcome)
	if name == droppedOutcome {
		c.rec.RecordDropped()
		c.rec.StageDropped(c.e.pacer.StageAt(r.Timestamp.Sub(c.e.start)))
		return
	}
	o, ok := c.outcomes[name]
	if !ok {
		// The transport always annotates; no header means net/http or
		// vegeta failed around it. Its own deadline is still a timeout.
		o = oracle.TransportError
		if strings.Contains(r.Error, "Timeout exceeded") || strings.Contains(r.Error, "deadline exceeded") {
			o = oracle.Timeout
		}
	}
	obs := results.Observation{
		Start:     r.Timestamp,
		Seq:       r.Seq,
		Session:   first(h, hdrSession),
		Family:    first(h, hdrFamily),
		Kind:      results.KindRefresh,
		Chaos:     first(h, hdrChaos),
		Status:    int(r.Code),
		Outcome:   o,
		Latency:   r.Latency,
		Corrected: r.Latency,
		Detail:    first(h, hdrDetail),
		Stage:     c.e.pacer.StageAt(r.Timestamp.Sub(c.e.start)),
	}
	switch {
	case !ok && r.Error != "":
		obs.Detail = r.Error
	case r.Code == 0 && r.Error != "" && obs.Detail != "":
		// the Go error text (already scrubbed by the transport) says why
		obs.Detail += ": " + r.Error
	}
	if at, scheduled := c.e.pacer.Intended(r.Seq); scheduled {
		if late := r.End().Sub(c.e.start.Add(at)); late > obs.Corrected {
			obs.Corrected = late
		}
	}
	c.rec.Record(&obs)
	c.rec.RecordVegeta(r)
}

func first(h map[string][]string, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c *collector) event(ev event) {
	switch ev.kind {
	case evObservation:
		ev.obs.Stage = c.e.pacer.StageAt(ev.obs.Start.Sub(c.e.start))
		c.rec.Record(&ev.obs)
	case evFamilyEnd:
		c.families[ev.state]++
		c.rec.StageFamily(c.stageNow(), ev.state)
	case evRaceLogout:
		c.raceLogouts++
		c.rec.StageRaceLogout(c.stageNow(), time.Now())
	case evReSignIn:
		c.reSignIns++
		c.rec.StageReSignIn(c.stageNow())
	case evInjected:
		c.rec.ChaosInjected(ev.chaos.String())
		c.rec.StageChaos(c.e.pacer.StageAt(ev.obs.Start.Sub(c.e.start)), ev.chaos.String())
	case evSpread:
		_ = c.spread.RecordValue(max(1, ev.spread.Microseconds()))
	case evLostSlot:
		c.lostSlots++
	}
}

// stageNow is the stage the run is in.
func (c *collector) stageNow() int { return c.e.pacer.StageAt(time.Since(c.e.start)) }

// snapshot adds the engine's numbers to the recorder's. Families still in
// use count as healthy: the pool
// cannot be read while leases are out, and a family in use has not been
// judged otherwise.
func (c *collector) snapshot(now time.Time) results.Snapshot {
	s := c.rec.Snapshot(now)
	rate, paused := c.e.pacer.Current()
	s.RequestedRate, s.Paused = rate, paused
	if len(c.e.cfg.Stages) > 0 {
		st, i, n := c.e.pacer.StageInfo(now.Sub(c.e.start))
		s.Stage, s.StageIndex, s.Stages, s.StageWarmup, s.StageChaos = st.Name, i, n, st.Warmup, st.Chaos
	}
	s.Families = c.families
	total := c.e.pool.Len()
	live := uint64(total) - c.lostSlots
	s.Families[oracle.FamilyHealthy] += live
	idle := c.e.pool.Idle()
	s.Sessions = results.SessionStats{Total: total, Idle: idle, InFlight: max(0, int(live)-idle), ReSignedIn: c.reSignIns}
	s.RaceLogouts = c.raceLogouts
	s.Failing = c.liveFailing
	return s
}

func (c *collector) publish(now time.Time) {
	c.steer(now)
	c.judgeSoFar(now)
	s := c.snapshot(now)
	c.e.latest.Store(&s)
}

// progress publishes the snapshot at the boundary that is due and sets
// the next one, skipping boundaries a stalled process missed.
func (c *collector) progress() {
	at := c.nextProg
	for !c.nextProg.After(time.Now()) {
		c.nextProg = c.nextProg.Add(c.e.cfg.Interval)
	}
	if c.e.cfg.Progress == nil {
		return
	}
	s := c.snapshot(at)
	c.e.latest.Store(&s)
	c.e.cfg.Progress(s)
}

// finish counts the end states of the families still held by the slots.
// Every lease has been returned by now.
func (c *collector) finish(rep *Report) {
	// The families still held end in the run's last stage.
	last := max(len(rep.Stages)-1, 0)
	for _, s := range c.e.pool.Sessions() {
		if !s.Lost {
			c.families[s.State]++
			c.rec.StageFamily(last, s.State)
		}
	}
	rep.Families = c.families
	rep.Aborted = c.aborted
	rep.RaceLogouts = c.raceLogouts
	rep.ReSignedIn = c.reSignIns
	rep.LostSlots = c.lostSlots
	if c.spread.TotalCount() > 0 {
		us := func(q float64) time.Duration { return time.Duration(c.spread.ValueAtQuantile(q)) * time.Microsecond }
		rep.Spread = results.Quantiles{P50: us(50), P90: us(90), P99: us(99), P999: us(99.9),
			Max: time.Duration(c.spread.Max()) * time.Microsecond, Count: c.spread.TotalCount()}
	}
}
