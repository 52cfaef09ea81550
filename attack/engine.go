package attack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// Config is one run.
type Config struct {
	Pool  *targets.Pool
	Creds []targets.Credential
	// Transport sends the requests; nil means a tuned *http.Transport.
	Transport http.RoundTripper

	Rate     float64       // refreshes per second; 0 = as fast as the target answers
	Duration time.Duration // 0 = until stopped
	// Stages, when set, replace Rate and Duration with a load plan.
	// With NextStage the plan is open: when its last stage has ended and
	// settled, NextStage is called (on the collector) with that stage's
	// numbers and returns the stage to append, or false to end the run.
	NextStage func(done int, st results.StageSummary) (Stage, bool)
	// Abort, if set, is called every second once AbortAfter has passed
	// with the run so far; a non-empty reason ends the run early.
	Abort      func(*results.Summary) string
	AbortAfter time.Duration
	// Live, if set, is called every second with the run so far and names
	// the first threshold it fails ("" when passing): the live verdict.
	Live       func(*results.Summary) string
	Stages     []Stage
	MaxWorkers uint64        // bound on concurrent requests; 0 = number of sessions
	Timeout    time.Duration // per request; default 10s

	Policy oracle.Policy
	// TimingMargin is the uncertainty around the grace window inside
	// which outcomes are indeterminate. Default 250ms.
	TimingMargin time.Duration
	// ProbeMargin is added to the grace window before the late probe of a
	// revoked family (the zombie check). Default 1s.
	ProbeMargin time.Duration

	Chaos ChaosSpec
	Seed  int64

	Recorder  *results.Recorder
	Bootstrap targets.BootstrapOptions // for re-sign-ins during the run

	// Progress, if set, is called from the collector every Interval with a
	// fresh snapshot (headless progress lines).
	Progress func(results.Snapshot)
	Interval time.Duration
}

// Report is what the engine learned beyond the recorder's numbers.
type Report struct {
	Elapsed     time.Duration
	Families    [oracle.NumFamilyStates]uint64
	RaceLogouts uint64
	ReSignedIn  uint64
	LostSlots   uint64
	Stopped     bool // ended early by Stop or the context
	RateChanges []RateChange
	Pauses      []Pause
	Stages      []StageReport
	// RequestedPerSecond is the requested rate of every second; nil unpaced.
	RequestedPerSecond []float64
	Aborted            *results.Abort    // why Abort ended the run
	Spread             results.Quantiles // send-time spread of concurrent bursts
	// ConfigError says why the target rejected the harness's client
	// mid-run; the run stopped there. "" when it did not happen.
	ConfigError string
	// ConfigProblem says why the run was stopped for the harness's own
	// configuration (a family-cap spiral), "" when it was not.
	ConfigProblem string
}

// Engine runs one attack. Create it with New, call Run once.
type Engine struct {
	cfg     Config
	pool    *targets.Pool
	profile targets.Profile
	next    http.RoundTripper
	direct  *http.Client
	pacer   *livePacer
	chooser *chooser
	// stageChaos is the chaos of each planned stage, by index.
	stageChaos []stageChaos

	events  chan event
	async   sync.WaitGroup
	asyncCx context.Context

	stopOnce sync.Once
	stopCh   chan struct{}
	// configErr is set once, by the first reply that blames the client.
	configErr atomic.Pointer[string]

	// faultRT sends requests picked for net chaos over their own faulted
	// connections; partition is the --chaos window. Both nil without them.
	faultRT   http.RoundTripper
	partition *partition

	eventSeq    atomic.Uint64
	csrfSeq     atomic.Uint64
	replaySeq   atomic.Uint64
	staleOwed   atomic.Uint64 // stale-cookie events drawn for sessions without a parent
	otherCSRF   []string      // a CSRF token of another family per slot
	start       time.Time
	latest      atomic.Pointer[results.Snapshot]
	maxEventDur time.Duration
	spiral      *capSpiral
}

var errNoPool = errors.New("attack: config has no session pool")

// New checks cfg and prepares the engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Pool == nil {
		return nil, errNoPool
	}
	if cfg.Recorder == nil {
		return nil, errors.New("attack: config has no recorder")
	}
	if it := cfg.Chaos.item(ChaosCSRF); it.Fraction > 0 && !cfg.Pool.Profile().UsesCSRF() {
		return nil, fmt.Errorf("chaos csrf=: profile %s sends no CSRF token, so there is nothing to tamper with", cfg.Pool.Profile().Name())
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.TimingMargin <= 0 {
		cfg.TimingMargin = 250 * time.Millisecond
	}
	if cfg.ProbeMargin <= 0 {
		cfg.ProbeMargin = time.Second
	}
	if cfg.MaxWorkers == 0 {
		cfg.MaxWorkers = uint64(cfg.Pool.Len())
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Transport == nil {
		cfg.Transport = NewTransport(int(cfg.MaxWorkers) + 64)
	}
	e := &Engine{
		cfg:     cfg,
		pool:    cfg.Pool,
		profile: cfg.Pool.Profile(),
		next:    cfg.Transport,
		chooser: newChooser(cfg.Chaos, cfg.Seed),
		events:  make(chan event, 4096),
		stopCh:  make(chan struct{}),
	}
	e.spiral = newCapSpiral(cfg.Pool.Sessions(), len(cfg.Creds))
	var err error
	if e.stageChaos, err = stageChaosOf(cfg.Chaos, cfg.Stages, cfg.Seed); err != nil {
		return nil, fmt.Errorf("attack: %w", err)
	}
	if err := e.setUpNetChaos(); err != nil {
		return nil, err
	}
	var direct http.RoundTripper = cfg.Transport
	if e.partition != nil {
		direct = partitionGate{e: e, next: cfg.Transport}
	}
	e.direct = &http.Client{Transport: WithTimeout(direct, cfg.Timeout), CheckRedirect: noRedirects}
	e.maxEventDur = cfg.Policy.Grace + cfg.ProbeMargin + 2*cfg.Timeout
	var replay, lost time.Duration
	for _, sp := range e.allChaos() {
		if it := sp.item(ChaosReplay); it.Fraction > 0 {
			replay = max(replay, it.Delay)
		}
		if it := sp.item(ChaosLostResponse); it.Fraction > 0 {
			lost = max(lost, it.Delay)
		}
	}
	e.maxEventDur += replay + lost + e.netEventDur()
	return e, nil
}

// DefaultIdleTimeout is below the keep-alive timeouts of common servers
// (Node 5s, nginx 75s, Go 3min): a connection the server is about to close
// is dropped first, so a refresh is never sent on it to be lost.
const DefaultIdleTimeout = 4 * time.Second

// NewTransport returns an http.Transport sized for a load run on
// loopback or a LAN: enough idle connections that every worker keeps one
// warm, no compression (bodies are tiny), no proxy.
func NewTransport(conns int) *http.Transport {
	return &http.Transport{
		DialContext:            (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:           0,
		MaxIdleConnsPerHost:    conns,
		IdleConnTimeout:        DefaultIdleTimeout,
		DisableCompression:     true,
		ForceAttemptHTTP2:      false,
		ResponseHeaderTimeout:  0,
		MaxResponseHeaderBytes: MaxResponseHeader,
	}
}

// MaxResponseHeader bounds the response headers read per answer (Go's
// default is 10 MB): a target that never ends its header block costs
// this much memory per connection, not more. Real auth answers carry a
// few KB; 256 KB leaves room for oversized cookies to be judged.
const MaxResponseHeader = 256 << 10

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Client is the HTTP client used outside the load (sign-ins, probes).
func (e *Engine) Client() *http.Client { return e.direct }

// Stop ends the attack early; results are still complete for what ran.
func (e *Engine) Stop() { e.stopOnce.Do(func() { close(e.stopCh) }) }

// SetPaused pauses or resumes the load (not the follow-up probes).
func (e *Engine) SetPaused(paused bool) {
	if e.pacer != nil {
		e.pacer.SetPaused(paused, time.Since(e.start))
	}
}

// SetRate changes the requested rate live and returns the rate in force.
func (e *Engine) SetRate(rate float64) float64 {
	if e.pacer == nil {
		return rate
	}
	return e.pacer.SetRate(rate, time.Since(e.start))
}

// Snapshot returns the latest published snapshot (refreshed ~4 times a
// second); safe from any goroutine.
func (e *Engine) Snapshot() results.Snapshot {
	if s := e.latest.Load(); s != nil {
		return *s
	}
	return results.Snapshot{Duration: e.cfg.Duration, RequestedRate: e.cfg.Rate}
}

// Run executes the attack until the duration ends, Stop is called or ctx
// is done, then waits for in-flight chaos events to finish their probes
// (bounded), and returns the report. The recorder holds the numbers.
func (e *Engine) Run(ctx context.Context) (*Report, error) {
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	asyncCtx, cancelAsync := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelAsync()
	e.asyncCx = asyncCtx
	e.otherCSRF = e.snapshotOtherCSRF()

	e.pacer = e.newPacer(runCtx)
	// No Client.Timeout: RoundTrip puts --timeout on each request itself. RoundTrip never returns an error, so a timeout still
	// reaches the collector as an annotated answer.
	client := &http.Client{Transport: e, CheckRedirect: noRedirects}
	workers := min(e.cfg.MaxWorkers, 64)
	attacker := vegeta.NewAttacker(
		vegeta.Client(client),
		vegeta.Workers(workers),
		vegeta.MaxWorkers(e.cfg.MaxWorkers),
		vegeta.MaxBody(maxBody),
	)

	stopped := atomic.Bool{}
	go func() {
		select {
		case <-e.stopCh:
		case <-ctx.Done():
		case <-runCtx.Done():
			return
		}
		stopped.Store(true)
		cancelRun()
		attacker.Stop()
	}()

	e.start = time.Now()
	c := newCollector(e)
	c.signInFindings() // before the first lease: the pool is still ours
	// The pacer ends the attack: its clock stops while paused.
	// No attack name: vegeta would send it as a header on every request.
	res := attacker.Attack(e.pool.Targeter(e.assignChaos), e.pacer, 0, "")

	// Interrupts cancel the follow-ups at once; a normal end lets them
	// finish within the longest an event can take.
	go func() {
		select {
		case <-ctx.Done():
			cancelAsync()
		case <-asyncCtx.Done():
		}
	}()
	done := make(chan struct{})
	go func() {
		<-runCtx.Done()
		timer := time.NewTimer(e.maxEventDur + 2*time.Second)
		defer timer.Stop()
		select {
		case <-timer.C:
			cancelAsync()
		case <-done:
		}
	}()

	c.consume(res, func() {
		cancelRun()
		e.async.Wait()
		close(done)
		close(e.events)
	})

	rep := &Report{
		Elapsed:       time.Since(e.start),
		Stopped:       stopped.Load() || ctx.Err() != nil,
		RateChanges:   e.pacer.Changes(),
		ConfigProblem: e.spiral.Problem(),
	}
	e.reportStages(rep)
	c.finish(rep)
	if msg := e.configErr.Load(); msg != nil {
		rep.ConfigError = *msg
		if rep.Aborted == nil {
			rep.Aborted = &results.Abort{Reason: *msg, AtS: rep.Elapsed.Seconds()}
		}
	}
	return rep, nil
}

// assignChaos is called by the targeter for every leased session. A stale
// cookie needs a rotated token to restore: one drawn for a session that has
// none is owed and given to the next plain lease that has one, so that the
// stale-cookie fraction holds even where families are young.
func (e *Engine) assignChaos(s *targets.Session) {
	kind := e.pickChaos()
	hasParent := s.Ancestors() > 0
	switch {
	case kind == ChaosStaleCookie && !hasParent:
		e.staleOwed.Add(1)
		kind = chaosNone
	case kind == chaosNone && hasParent && e.payStale():
		kind = ChaosStaleCookie
	}
	s.Chaos = uint8(kind)
}

// payStale takes one owed stale-cookie event, if any.
func (e *Engine) payStale() bool {
	for {
		n := e.staleOwed.Load()
		if n == 0 {
			return false
		}
		if e.staleOwed.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// snapshotOtherCSRF remembers, before any lease, one other family's CSRF
// token per slot for the other-family CSRF tamper.
func (e *Engine) snapshotOtherCSRF() []string {
	all := e.pool.Sessions()
	out := make([]string, len(all))
	if len(all) < 2 {
		return out
	}
	for i := range all {
		other := all[(i+1)%len(all)]
		if other.Family != all[i].Family {
			out[i] = other.CSRF
		}
	}
	return out
}

// goAsync runs a follow-up that holds s's lease; it ends by releasing or
// replacing the session.
func (e *Engine) goAsync(fn func(ctx context.Context)) {
	e.async.Add(1)
	go func() {
		defer e.async.Done()
		fn(e.asyncCx)
	}()
}

// SetProgress sets the progress callback; call it before Run.
func (e *Engine) SetProgress(fn func(results.Snapshot)) { e.cfg.Progress = fn }
