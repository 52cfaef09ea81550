package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/report"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

func newRunCmd() *cobra.Command {
	return runCommand(func(cmd *cobra.Command, sc scenario) error {
		return runScenario(cmd.Context(), sc, cmd.OutOrStdout(), cmd.ErrOrStderr())
	})
}

// runCommand is `run` with what it does once its settings are resolved.
func runCommand(do func(*cobra.Command, scenario) error) *cobra.Command {
	var settings *settings
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run a load and chaos test against a refresh endpoint",
		Long: `Signs a pool of virtual sessions in, then drives rotating refreshes at a
paced rate, classifies every response against the declared rotation policy,
and writes the results directory. Without --target it starts the embedded
reference server on a loopback port and tests that.

Exit codes: 0 pass, 1 a threshold or invariant failed, 2 usage or
configuration error (also a family-cap spiral: --families-per-user above the
server's cap, results still written), 3 could not run (target unreachable, bootstrap failed),
130 interrupted (results still written).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := settings.resolve()
			if err != nil {
				return err
			}
			return do(cmd, sc)
		},
	}
	settings = bindSettings(cmd.Flags(), defaultScenario)
	return cmd
}

// plan is a validated scenario, ready to run.
type plan struct {
	sc           scenario
	policy       oracle.Policy
	serverPolicy authserver.Policy
	chaos        attack.ChaosSpec
	thresholds   []results.Threshold
	creds        []targets.Credential
	imported     []targets.Imported // --cookies: sessions to adopt instead of signing in
	shardIndex   int
	shardCount   int
	rate         float64 // this shard's share of the rate
	stages       []attack.Stage
	// nextStage and finish let `capacity` steer the plan and judge it.
	nextStage func(int, results.StageSummary) (attack.Stage, bool)
	finish    func(sum *results.Summary, outDir string, stdout io.Writer) error
	sessions  int // this shard's share of the sessions
	baseline  *baseline
	files     results.DirOptions
}

// validate turns a scenario into a plan; every problem is a usage error.
func validate(sc scenario) (*plan, error) {
	p := &plan{sc: sc, shardCount: 1, rate: sc.Rate, sessions: sc.Sessions}
	var err error
	switch {
	case sc.Sessions < 1:
		return nil, usageError("--sessions %d: want at least 1", sc.Sessions)
	case math.IsNaN(sc.Rate) || math.IsInf(sc.Rate, 0) || sc.Rate < 0:
		return nil, usageError("--rate %g: want a finite number, 0 (max) or more", sc.Rate)
	case sc.Interval <= 0:
		return nil, usageError("--progress-interval %s: want a positive duration", sc.Interval)
	case sc.AbortAfter < 0:
		return nil, usageError("--abort-after %s: want 0 or more", sc.AbortAfter)
	case sc.TimingMargin < 0:
		return nil, usageError("--timing-margin %s: want 0 or more", sc.TimingMargin)
	case sc.ProbeMargin < 0:
		return nil, usageError("--probe-margin %s: want 0 or more", sc.ProbeMargin)
	case sc.Duration <= 0:
		return nil, usageError("--duration %s: want a positive duration", sc.Duration)
	case sc.FamiliesPerUser < 1:
		return nil, usageError("--families-per-user %d: want at least 1", sc.FamiliesPerUser)
	case sc.MaxWorkers < 0:
		return nil, usageError("--max-workers %d: want 0 (default) or more", sc.MaxWorkers)
	case sc.Timeout <= 0:
		return nil, usageError("--timeout %s: want a positive duration", sc.Timeout)
	case sc.IdleTimeout <= 0:
		return nil, usageError("--idle-timeout %s: want a positive duration", sc.IdleTimeout)
	case sc.MaxRetryAfter <= 0:
		return nil, usageError("--max-retry-after %s: want a positive duration", sc.MaxRetryAfter)
	case sc.BootstrapTimeout <= 0:
		return nil, usageError("--bootstrap-timeout %s: want a positive duration", sc.BootstrapTimeout)
	case sc.Target != "" && sc.Credentials == "" && sc.Cookies == "":
		return nil, usageError("--target needs --credentials FILE (identifier,password lines) or --cookies FILE")
	case sc.Target == "" && sc.Cookies != "":
		return nil, usageError("--cookies imports sessions of a --target; the embedded server signs its own in")
	case sc.Target != "" && sc.ServerPolicy != "":
		return nil, usageError("--server-policy configures the embedded server; it cannot be used with --target")
	}
	if p.files.EventsEvery, err = results.ParseEvents(sc.Events); err != nil {
		return nil, usageError("--events %v", err)
	}
	if sc.VegetaResults != "" {
		if err := results.ParseVegetaResults(sc.VegetaResults); err != nil {
			return nil, usageError("--vegeta-results %v", err)
		}
	}
	p.files.VegetaResults, p.files.Gzip = sc.VegetaResults, sc.Gzip
	if err := checkProfile(sc.Profile.CookieConfig); err != nil {
		return nil, err
	}
	if sc.Target == "" {
		p.sc.Profile = embeddedProfile(sc.Profile)
	}
	// Build the profile once against a stand-in target: its errors (a bad
	// kind, URL, client auth or secret variable) are usage errors, found
	// before the first request.
	if _, err := targets.NewProfile(p.sc.Profile, "http://127.0.0.1"); err != nil {
		return nil, usageError("%v", err)
	}
	if err := sc.Network.checkHeaders(); err != nil {
		return nil, err
	}
	if p.policy, err = oracle.ParsePolicy(sc.Policy); err != nil {
		return nil, usageError("--policy: %v", err)
	}
	p.policy = resolveAccess(p.policy, profileKind(sc))
	serverSpec := sc.ServerPolicy
	if serverSpec == "" {
		serverSpec = sc.Policy
	}
	if sc.Target == "" {
		if p.serverPolicy, err = authserver.ParsePolicy(serverSpec); err != nil {
			return nil, usageError("--server-policy: %v", err)
		}
	}
	if !sc.Stages.empty() {
		if p.stages, p.thresholds, err = sc.Stages.resolve(); err != nil {
			return nil, usageError("--stages: %v", err)
		}
	}
	if p.chaos, err = attack.ParseChaos(sc.Chaos); err != nil {
		return nil, usageError("--chaos: %v", err)
	}
	if p.chaos.Has(attack.ChaosCSRF) && profileKind(sc) != targets.KindCookie {
		return nil, usageError("--chaos csrf=: profile %s sends no CSRF token; drop csrf from the mix", profileKind(sc))
	}
	if p.chaos.Faulted() && sc.Network.Proxy != "" {
		return nil, usageError("--chaos net-*: cannot be combined with --proxy: a faulted refresh connects to the target itself")
	}
	p.thresholds = append(results.DefaultThresholds(), p.thresholds...) // the stages' own
	for _, expr := range sc.Thresholds {
		th, err := results.ParseThreshold(expr)
		if err != nil {
			return nil, usageError("--threshold: %v", err)
		}
		p.thresholds = append(p.thresholds, th)
	}
	if sc.Shard != "" {
		if p.shardIndex, p.shardCount, err = resolveShard(sc.Shard); err != nil {
			return nil, usageError("%v", err)
		}
		p.rate = sc.Rate / float64(p.shardCount)
		shareStages(p.stages, p.shardCount)
		p.sessions = sc.Sessions / p.shardCount
		if p.shardIndex < sc.Sessions%p.shardCount {
			p.sessions++
		}
		if p.sessions < 1 {
			return nil, usageError("--shard %s: %d sessions leave none for this shard", sc.Shard, sc.Sessions)
		}
	}
	if sc.Cookies != "" {
		ims, err := targets.LoadImported(sc.Cookies)
		if err != nil {
			return nil, usageError("--cookies: %v", err)
		}
		p.imported = targets.Shard(ims, p.shardIndex, p.shardCount)
		p.sessions = min(p.sessions, len(p.imported))
	}
	if sc.Credentials != "" && sc.Cookies == "" {
		creds, err := targets.LoadCredentials(sc.Credentials)
		if err != nil {
			return nil, usageError("--credentials: %v", err)
		}
		p.creds = targets.Shard(creds, p.shardIndex, p.shardCount)
		if need := targets.UsersNeeded(p.sessions, sc.FamiliesPerUser); len(p.creds) < need {
			return nil, usageError("--credentials %s: %d sessions at %d families per user need %d users; this shard has %d (raise --families-per-user up to the server's cap, or add users)",
				sc.Credentials, p.sessions, sc.FamiliesPerUser, need, len(p.creds))
		}
	}
	if sc.Credentials != "" && sc.Cookies != "" {
		creds, err := targets.LoadCredentials(sc.Credentials)
		if err != nil {
			return nil, usageError("--credentials: %v", err)
		}
		p.creds = targets.Shard(creds, p.shardIndex, p.shardCount) // only for replacing revoked families
	}
	return p, nil
}

// resolveShard reads i/n, or job/n with i from JOB_COMPLETION_INDEX
// (0-based, as Kubernetes Indexed Jobs set it).
func resolveShard(spec string) (int, int, error) {
	if rest, ok := cutPrefix(spec, "job/"); ok {
		n, err := strconv.Atoi(rest)
		idx, ierr := strconv.Atoi(os.Getenv("JOB_COMPLETION_INDEX"))
		if err != nil || n < 1 {
			return 0, 0, fmt.Errorf("--shard %q: want job/n with n >= 1", spec)
		}
		if ierr != nil || idx < 0 || idx >= n {
			return 0, 0, fmt.Errorf("--shard %q: JOB_COMPLETION_INDEX=%q is not an index below %d", spec, os.Getenv("JOB_COMPLETION_INDEX"), n)
		}
		return idx, n, nil
	}
	return parseShard(spec)
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// runScenario is the whole of `run` after flag parsing.
func runScenario(parent context.Context, sc scenario, stdout, stderr io.Writer) error {
	p, err := validate(sc)
	if err != nil {
		return err
	}
	if p.baseline, err = loadBaseline(sc, scenarioID(sc, p)); err != nil {
		return err
	}
	return runPlan(parent, p, stdout, stderr)
}

// runPlan starts the embedded server if needed and executes p.
func runPlan(parent context.Context, p *plan, stdout, stderr io.Writer) error {
	sc := p.sc
	if parent == nil {
		parent = context.Background()
	}
	ctx, stopSignals := notifyStop(parent, stderr)
	defer stopSignals()

	target := sc.Target
	if target == "" {
		srv, creds, err := startEmbedded(p.serverPolicy, targets.UsersNeeded(p.sessions, sc.FamiliesPerUser), stderr)
		if err != nil {
			return err
		}
		defer srv.Close()
		target, p.creds = srv.URL, creds
	}
	return execute(ctx, p, target, stdout, stderr)
}

// startEmbedded starts the reference server on a loopback port with n
// demo users and returns their credentials.
func startEmbedded(policy authserver.Policy, n int, stderr io.Writer) (*authserver.Running, []targets.Credential, error) {
	users := authserver.DemoUsers(n)
	srv, err := authserver.Start("127.0.0.1:0", authserver.Config{Policy: policy, Users: users})
	if err != nil {
		return nil, nil, withCode(exitCannotRun, fmt.Errorf("embedded authserver: %w", err))
	}
	creds := make([]targets.Credential, 0, n)
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("user-%04d", i)
		creds = append(creds, targets.Credential{Identifier: id, Password: users[id]})
	}
	fmt.Fprintf(stderr, "embedded authserver on %s, server policy %s\n", srv.URL, policy)
	return srv, creds, nil
}

// execute bootstraps the sessions, runs the engine and writes results.
func execute(ctx context.Context, p *plan, target string, stdout, stderr io.Writer) error {
	sc := p.sc
	profCfg := sc.Profile
	profCfg.AllowInsecureCookies = sc.AllowInsecure
	profile, err := targets.NewProfile(profCfg, target)
	if err != nil {
		return usageError("%v", err)
	}
	fp := targets.NewFingerprinter()
	pool := targets.NewPool(p.sessions, profile, fp)
	maxWorkers := uint64(sc.MaxWorkers)
	if maxWorkers == 0 {
		maxWorkers = uint64(p.sessions)
	}
	wire, transport, err := sc.Network.dial(int(maxWorkers)+64, target, stderr)
	if err != nil {
		return err
	}
	transport.IdleConnTimeout = sc.IdleTimeout
	defer transport.CloseIdleConnections()

	// The results directory and the metrics port are claimed before the
	// first sign-in: a bad --out must not cost real sign-ins.
	outDir := sc.Out
	if outDir == "" {
		outDir = "runs/" + time.Now().UTC().Format("20060102T150405Z")
	}
	dir, err := results.CreateDirWith(outDir, p.files)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("--out: %w", err))
	}
	defer dir.Close()
	var engRef atomic.Pointer[attack.Engine]
	var recRef atomic.Pointer[results.Recorder]
	if sc.MetricsAddr != "" {
		snap := func() results.Snapshot {
			if e := engRef.Load(); e != nil {
				return e.Snapshot()
			}
			return results.Snapshot{}
		}
		latency := func() results.LatencyBuckets {
			if r := recRef.Load(); r != nil {
				return r.LatencyBuckets()
			}
			return results.LatencyBuckets{}
		}
		stop, err := results.ServeMetrics(sc.MetricsAddr, snap, results.WithLatency(latency))
		if err != nil {
			_ = dir.Close()
			_ = os.RemoveAll(outDir)
			return withCode(exitUsage, fmt.Errorf("--metrics-addr: %w", err))
		}
		defer stop()
	}
	boot := targets.BootstrapOptions{MaxRetryAfter: sc.MaxRetryAfter, Timeout: sc.BootstrapTimeout}
	// A redirected sign-in would carry the password elsewhere: never follow.
	bootClient := &http.Client{Transport: attack.WithTimeout(wire, sc.Timeout),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var bootRec *results.Bootstrap
	var bootDone func()
	if p.imported != nil {
		fmt.Fprintf(stderr, "importing %d sessions from %s…\n", p.sessions, sc.Cookies)
		bootRec, bootDone = bootstrapRecord("import", p.sessions)
		err = pool.AdoptImported(ctx, bootClient, p.imported)
	} else {
		fmt.Fprintf(stderr, "signing in %d sessions…\n", p.sessions)
		bootRec, bootDone = bootstrapRecord("sign-in", p.sessions)
		boot.Progress = progressPrinter(stderr, time.Now())
		err = pool.SignInAll(ctx, bootClient, p.creds, sc.FamiliesPerUser, boot)
	}
	bootDone()
	if err != nil {
		interrupted := ctx.Err() != nil
		note := "bootstrap failed before the load began; nothing was measured"
		if interrupted {
			note = "interrupted during sign-in; nothing was measured"
		}
		if werr := finishEmpty(dir, sc, p, target, interrupted, note); werr != nil {
			fmt.Fprintf(stderr, "writing results: %v\n", werr)
		} else {
			fmt.Fprintf(stdout, "results: %s (%s)\n", outDir, note)
		}
		if interrupted {
			return withCode(exitInterrupted, errors.New(note))
		}
		return withCode(exitCannotRun, fmt.Errorf("bootstrap against %s: %w", target, err))
	}
	boot.Progress = nil
	p.imported = nil // the pool holds the sessions now; the file's copy is garbage
	pool.Compact()
	settleHeap(bootRec)
	fmt.Fprintf(stderr, "%d sessions ready in %.1fs (%.0f/s); RSS %.0f MB\n",
		bootRec.Sessions, bootRec.Seconds, bootRec.PerSecond, float64(bootRec.RSSBytes)/(1<<20))

	start := time.Now()
	cfg := attack.Config{Rate: p.rate, Duration: sc.Duration, Stages: p.stages}
	rec := results.NewRecorder(results.RecorderOptions{Start: start, Duration: cfg.PlannedDuration(), Dir: dir})
	recRef.Store(rec)
	eng, err := attack.New(attack.Config{
		Pool: pool, Creds: p.creds, Transport: wire,
		Rate: p.rate, Duration: sc.Duration, Stages: p.stages, NextStage: p.nextStage, Abort: abortCheck(p.thresholds, sc.AbortOnFail), AbortAfter: sc.AbortAfter, Live: liveCheck(p.thresholds), MaxWorkers: maxWorkers, Timeout: sc.Timeout,
		Policy: p.policy, TimingMargin: sc.TimingMargin, ProbeMargin: sc.ProbeMargin,
		Chaos: p.chaos, Seed: sc.Seed + int64(p.shardIndex),
		Recorder: rec, Bootstrap: boot, Interval: sc.Interval,
	})
	if err != nil {
		return withCode(exitUsage, err)
	}
	engRef.Store(eng)
	live := newLiveView(sc, p, target, eng, stdout, stderr)
	eng.SetProgress(live.progress)

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	go func() { // a full disk stops the load: what follows would be lost
		select {
		case <-dir.Failed():
			cancelRun()
		case <-runCtx.Done():
		}
	}()
	viewDone := live.start(runCtx)
	rep, err := eng.Run(runCtx)
	cancelRun()
	<-viewDone
	if err != nil {
		return withCode(exitCannotRun, err)
	}
	interrupted := ctx.Err() != nil || live.interruptedByUser()
	echo := configEcho(sc, p, target)
	sc.Network.echo(echo, wire)
	sum := rec.Summary(results.RunMeta{
		Config:           echo,
		ScenarioID:       scenarioID(sc, p),
		Elapsed:          rep.Elapsed,
		Families:         rep.Families,
		RaceLogouts:      rep.RaceLogouts,
		ReSignedIn:       rep.ReSignedIn,
		Interrupted:      interrupted,
		RateChanges:      rateChanges(rep.RateChanges),
		ConcurrentSpread: rep.Spread,

		Stages:             attack.StageMetas(rep.Stages),
		Pauses:             pauses(rep.Pauses),
		RequestedPerSecond: rep.RequestedPerSecond,
		Aborted:            rep.Aborted,
		Bootstrap:          bootRec,
		ConfigProblem:      rep.ConfigProblem,
	})
	results.Evaluate(sum, p.thresholds)
	var cmp *results.Comparison
	if p.baseline != nil {
		cmp = p.baseline.fold(outDir, sum)
	}
	streamErr := dir.Err()
	if err := finishResults(dir, outDir, sum, cmp); err != nil {
		// The verdict so far still reaches stdout: it may be all there is.
		fmt.Fprint(stdout, report.FormatText(sum))
		if streamErr != nil {
			return withCode(exitCannotRun, fmt.Errorf("writing results stopped the load: %w", streamErr))
		}
		return withCode(exitCannotRun, fmt.Errorf("writing results: %w", err))
	}
	fmt.Fprint(stdout, report.FormatText(sum))
	if cmp != nil {
		fmt.Fprint(stdout, "\n"+report.CompareText(cmp))
	}
	fmt.Fprintf(stdout, "results: %s\n", outDir)
	if p.finish != nil {
		if err := p.finish(sum, outDir, stdout); err != nil || !interrupted {
			return err
		}
	}
	switch {
	case interrupted:
		return withCode(exitInterrupted, errors.New("interrupted; results written"))
	case rep.ConfigError != "":
		return withCode(exitCannotRun, fmt.Errorf("%s; results written", rep.ConfigError))
	case sum.ConfigProblem != "":
		return usageError("%s; results written", sum.ConfigProblem)
	case sum.Verdict != "pass":
		return withCode(exitFailed, errVerdictFailed)
	}
	return nil
}

// finishEmpty writes a results directory for a run whose load never
// began, so CI still finds summary.json and junit.xml saying so.
func finishEmpty(dir *results.Dir, sc scenario, p *plan, target string, interrupted bool, note string) error {
	rec := results.NewRecorder(results.RecorderOptions{Start: time.Now(), Duration: sc.Duration, Dir: dir})
	sum := rec.Summary(results.RunMeta{
		Config:      configEcho(sc, p, target),
		ScenarioID:  scenarioID(sc, p),
		Interrupted: interrupted,
	})
	sum.Note = note
	results.Evaluate(sum, p.thresholds)
	sum.Verdict = results.VerdictFail
	return finishResults(dir, dir.Path(), sum, nil)
}

// progressPrinter prints the sign-in progress every 10 %, with the rate
// so far and the time left at that rate; sign-ins run in parallel, so it
// locks.
func progressPrinter(w io.Writer, began time.Time) func(done, total int) {
	var mu sync.Mutex
	last := -1
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if tenth := done * 10 / max(total, 1); tenth != last {
			last = tenth
			line := fmt.Sprintf("  signed in %d/%d", done, total)
			if secs := time.Since(began).Seconds(); secs > 0 && done > 0 {
				rate := float64(done) / secs
				eta := time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
				line += fmt.Sprintf(" (%.0f/s, ETA %s)", rate, eta)
			}
			fmt.Fprintln(w, line)
		}
	}
}

func rateChanges(in []attack.RateChange) []results.RateChange {
	out := make([]results.RateChange, len(in))
	for i, c := range in {
		out[i] = results.RateChange{At: c.At, Rate: c.Rate}
	}
	return out
}
