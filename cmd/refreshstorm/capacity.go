package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/report"
	"github.com/refreshstorm/refreshstorm/results"
)

// capacityInvariants are part of every capacity SLO: a rate at which
// rotation breaks, answers go missing or the load cannot be offered is
// not sustainable, whatever its latency.
var capacityInvariants = []string{"failures==0", "rate.undecided<0.01", "rate.shortfall<0.05"}

const defaultSLOLatency = "latency.p99<250ms"

// stepper decides the capacity search's next step from the last one.
type stepper struct {
	start, factor, precision, maxRate float64
	samples                           int
	minStep, maxStep                  time.Duration
	maxSteps                          int
	slo                               []results.Threshold
	// confirm re-runs a failing step once before its rate counts as bad:
	// a stall of a busy load generator is not the service's knee.
	confirm bool

	rates     []float64
	retries   map[int]bool // steps that re-run the step before them
	good, bad float64      // highest passing, lowest failing rate; 0 = none yet
}

// step returns the stage that holds rate long enough for a stable p99:
// samples requests (so that 1 % of them, the tail the p99 is read from,
// is samples/100 values), within [minStep, maxStep].
func (s *stepper) step(rate float64) attack.Stage {
	d := time.Duration(float64(s.samples) / rate * float64(time.Second))
	d = min(max(d, s.minStep), s.maxStep).Round(100 * time.Millisecond)
	s.rates = append(s.rates, rate)
	return attack.Stage{Name: fmt.Sprintf("step%d", len(s.rates)), Duration: d, Shape: attack.Shape{From: rate, To: rate}}
}

// steady judges a step by its steady part: each step opens with a burst
// (every session idle between steps is sent at once, and the server has
// spare credit), which overstates the rate it sustains. The step's
// achieved rate and shortfall become those after its first second.
func steady(st results.StageSummary) results.StageSummary {
	if st.SteadyRate <= 0 || st.RequestedRate <= 0 {
		return st
	}
	st.AchievedRate = st.SteadyRate
	st.Shortfall = max(0, 1-st.SteadyRate/st.RequestedRate)
	return st
}

// failed lists the SLO expressions st breaks, judged on its steady part.
func (s *stepper) failed(in *results.StageSummary) []string {
	st := steady(*in)
	var out []string
	for _, th := range s.slo {
		if _, ok := th.CheckStage(&st); !ok {
			out = append(out, th.Expr)
		}
	}
	return out
}

// next climbs geometrically until a step fails, then bisects between the
// last good and the first bad rate until they are within precision.
func (s *stepper) next(i int, st results.StageSummary) (attack.Stage, bool) {
	rate := s.rates[i]
	failed := len(s.failed(&st)) > 0
	if failed && s.confirm && !s.retries[i] && len(s.rates) < s.maxSteps {
		if s.retries == nil {
			s.retries = map[int]bool{}
		}
		s.retries[len(s.rates)] = true
		return s.step(rate), true
	}
	if !failed {
		s.good = max(s.good, rate)
	} else if s.bad == 0 || rate < s.bad {
		s.bad = rate
	}
	if len(s.rates) >= s.maxSteps {
		return attack.Stage{}, false
	}
	var r float64
	switch {
	case s.bad == 0:
		r = math.Round(rate * s.factor)
		if r > s.maxRate {
			return attack.Stage{}, false
		}
	case s.good == 0:
		r = math.Round(s.bad / 2) // even the first step failed: look lower
		if r < 1 {
			return attack.Stage{}, false
		}
	default:
		if s.bad/s.good-1 <= s.precision {
			return attack.Stage{}, false
		}
		r = math.Round((s.good + s.bad) / 2)
		if r <= s.good || r >= s.bad {
			return attack.Stage{}, false
		}
	}
	return s.step(r), true
}

// capacityStep is one step's evidence in capacity.json.
type capacityStep struct {
	Name             string   `json:"name"`
	Rate             float64  `json:"rate"`
	Achieved         float64  `json:"achieved"`     // steady: after the step's first second
	AchievedAll      float64  `json:"achieved_all"` // over the whole step, opening burst included
	DurationS        float64  `json:"duration_s"`
	P50              float64  `json:"p50"`
	P99              float64  `json:"p99"`
	P50Corrected     float64  `json:"p50_corrected"`
	P99Corrected     float64  `json:"p99_corrected"`
	Failures         uint64   `json:"failures"`
	Shortfall        float64  `json:"shortfall"`
	RaceLogoutsPer1k float64  `json:"race_logouts_per_1000"`
	Pass             bool     `json:"pass"`
	Failed           []string `json:"failed,omitempty"`
	// Retry marks a step that re-ran the failing step before it.
	Retry bool `json:"retry,omitempty"`
}

type capacityFile struct {
	Schema          string         `json:"schema"`
	SustainableRate float64        `json:"sustainable_rate"`
	FirstBadRate    *float64       `json:"first_bad_rate"`
	SLO             []string       `json:"slo"`
	Steps           []capacityStep `json:"steps"`
}

// verdictOf judges every step on its final numbers (the search decided on
// numbers read as each step ended): sustainable is the highest passing
// rate below the lowest failing one. A failing step whose re-run (with
// --confirm) passed does not make its rate bad.
func (s *stepper) verdictOf(sum *results.Summary) capacityFile {
	out := capacityFile{Schema: "refreshstorm/capacity/v1", Steps: []capacityStep{}}
	for _, th := range s.slo {
		out.SLO = append(out.SLO, th.Expr)
	}
	firstBad := math.Inf(1)
	for i := range sum.Stages {
		if i >= len(s.rates) {
			break
		}
		failed := s.failed(&sum.Stages[i])
		st := steady(sum.Stages[i])
		out.Steps = append(out.Steps, capacityStep{
			Name: st.Name, Rate: s.rates[i], Achieved: st.AchievedRate, AchievedAll: sum.Stages[i].AchievedRate, DurationS: st.DurationS,
			P50: st.Latency.P50, P99: st.Latency.P99, P50Corrected: st.LatencyCorrected.P50, P99Corrected: st.LatencyCorrected.P99,
			Failures: st.Failures, Shortfall: st.Shortfall, RaceLogoutsPer1k: st.RaceLogouts.Per1000,
			Pass: len(failed) == 0, Failed: failed,
		})
		confirmed := i+1 >= len(sum.Stages) || !s.retries[i+1] // no re-run passed after it
		if len(failed) > 0 && confirmed {
			firstBad = min(firstBad, s.rates[i])
		}
		out.Steps[len(out.Steps)-1].Retry = s.retries[i]
	}
	for _, st := range out.Steps {
		if st.Pass && st.Rate < firstBad {
			out.SustainableRate = max(out.SustainableRate, st.Rate)
		}
	}
	if !math.IsInf(firstBad, 1) {
		out.FirstBadRate = &firstBad
	}
	return out
}

// capacityOptions are the scenario settings capacity takes; the load
// plan (rate, duration, stages) is its own.
var capacityOptions = append([]string{
	"target", "credentials", "cookies", "sessions", "families-per-user", "max-workers",
	"policy", "server-policy", "chaos", "seed", "out", "timeout", "idle-timeout",
	"max-retry-after", "bootstrap-timeout", "allow-insecure-cookies",
}, networkOptions...)

// capacityDefaults differ from run's in one place: chaos is on, because
// rotation that is correct at low load can fork under contention.
func capacityDefaults() scenario {
	sc := defaultScenario()
	sc.Chaos = "concurrent=0.05"
	return sc
}

func newCapacityCmd() *cobra.Command {
	var settings *settings
	var sloExprs []string
	var minRate float64
	st := stepper{start: 100, factor: 1.25, precision: 0.05, maxRate: 100000, samples: 1000,
		minStep: 2 * time.Second, maxStep: 5 * time.Second, maxSteps: 30, confirm: true}
	cmd := &cobra.Command{
		Use:   "capacity",
		Short: "Find the highest refresh rate that meets the SLO, rotation correctness included",
		Long: `Steps the refresh rate up geometrically from --start-rate until a step
breaks the SLO, then bisects between the last good and the first bad rate.
Each step is a stage of one run (one results directory, one warm client);
capacity.json holds every step's evidence. Chaos is on by default
(` + "`" + `concurrent=0.05` + "`" + `), because rotation that is correct at low load can fork
or log users out under contention.

The SLO is --slo (default ` + defaultSLOLatency + `) plus, always, every fail_* 0,
undecided < 1 % and shortfall < 5 %.

Exit codes: 0 done (or at least --min-rate), 1 sustainable rate below
--min-rate, 2 usage, 3 could not run, 130 interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			final, err := settings.resolve()
			if err != nil {
				return err
			}
			return runCapacity(cmd, final, &st, sloExprs, minRate)
		},
	}
	f := cmd.Flags()
	settings = bindSettings(f, capacityDefaults, capacityOptions...)
	f.StringArrayVar(&sloExprs, "slo", nil, "SLO expression in the threshold grammar (repeatable; replaces "+defaultSLOLatency+")")
	f.Float64Var(&minRate, "min-rate", 0, "exit 1 if the sustainable rate is below this (CI gate)")
	f.Float64Var(&st.start, "start-rate", st.start, "first step's rate")
	f.Float64Var(&st.factor, "factor", st.factor, "rate multiplier between steps while climbing")
	f.Float64Var(&st.precision, "precision", st.precision, "stop bisecting when first bad / last good - 1 is at most this")
	f.Float64Var(&st.maxRate, "max-rate", st.maxRate, "highest rate to try")
	f.IntVar(&st.samples, "step-requests", st.samples, "requests per step (the p99 then rests on 1 % of them), within --step-min..--step-max")
	f.DurationVar(&st.minStep, "step-min", st.minStep, "shortest step")
	f.DurationVar(&st.maxStep, "step-max", st.maxStep, "longest step")
	f.IntVar(&st.maxSteps, "max-steps", st.maxSteps, "bound on the number of steps")
	f.BoolVar(&st.confirm, "confirm", st.confirm, "re-run a failing step once before its rate counts as bad (a stall of the load generator is not the knee)")
	return cmd
}

func runCapacity(cmd *cobra.Command, sc scenario, st *stepper, sloExprs []string, minRate float64) error {
	switch {
	case st.start <= 0 || st.factor <= 1 || st.precision <= 0 || st.maxRate < st.start:
		return usageError("capacity: want --start-rate > 0, --factor > 1, --precision > 0 and --max-rate >= --start-rate")
	case st.samples < 100 || st.minStep <= 0 || st.maxStep < st.minStep || st.maxSteps < 1:
		return usageError("capacity: want --step-requests >= 100, 0 < --step-min <= --step-max, --max-steps >= 1")
	}
	if len(sloExprs) == 0 {
		sloExprs = []string{defaultSLOLatency}
	}
	for _, e := range append(sloExprs, capacityInvariants...) {
		th, err := results.ParseThreshold(e)
		if err != nil {
			return usageError("--slo: %v", err)
		}
		st.slo = append(st.slo, th)
	}
	sc.Headless = true
	sc.Stages = stagePlan{}
	p, err := validate(sc)
	if err != nil {
		return err
	}
	p.stages = []attack.Stage{st.step(st.start)}
	p.nextStage = st.next
	p.finish = func(sum *results.Summary, outDir string, stdout io.Writer) error {
		v := st.verdictOf(sum)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return withCode(exitCannotRun, err)
		}
		if err := os.WriteFile(filepath.Join(outDir, report.FileCapacity), buf.Bytes(), 0o644); err != nil {
			return withCode(exitCannotRun, fmt.Errorf("writing capacity.json: %w", err))
		}
		// report.html was written before capacity.json: again, with the knee.
		if _, err := report.Rewrite(outDir, results.FileReport, sum, report.Options{}); err != nil {
			return withCode(exitCannotRun, err)
		}
		printCapacity(stdout, v)
		if minRate > 0 && v.SustainableRate < minRate {
			return withCode(exitFailed, fmt.Errorf("sustainable rate %g/s is below --min-rate %g/s", v.SustainableRate, minRate))
		}
		return nil
	}
	return runPlan(cmd.Context(), p, cmd.OutOrStdout(), cmd.ErrOrStderr())
}

func printCapacity(w io.Writer, v capacityFile) {
	fmt.Fprintf(w, "\ncapacity steps (SLO: %v)\n", v.SLO)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\trate/s\tachieved/s\tp50 ms\tp99 ms\tp99 corr ms\tfailures\trace logouts/1k\tverdict\t")
	for _, s := range v.Steps {
		verdict := "ok"
		if !s.Pass {
			verdict = fmt.Sprintf("breaks %v", s.Failed)
		}
		if s.Retry {
			verdict = "re-run: " + verdict
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.1f\t%.2f\t%.2f\t%.2f\t%d\t%.2f\t%s\t\n", s.Name, s.Rate, s.Achieved, s.P50, s.P99, s.P99Corrected, s.Failures, s.RaceLogoutsPer1k, verdict)
	}
	tw.Flush()
	if v.FirstBadRate != nil {
		fmt.Fprintf(w, "first bad rate: %g/s\n", *v.FirstBadRate)
	} else {
		fmt.Fprintln(w, "no step broke the SLO (raise --max-rate or --max-steps)")
	}
	fmt.Fprintf(w, "sustainable rate: %g/s\n", v.SustainableRate)
}
