package main

import (
	"fmt"
	"time"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/results"
)

// stagePlan is `stages:` in a scenario: the --stages grammar as one
// string, or a list of stages with their own name, chaos, thresholds and
// warmup flag.
type stagePlan struct {
	Spec string
	List []stageYAML
}

type stageYAML struct {
	Name       string        `yaml:"name"`
	Duration   time.Duration `yaml:"duration"`
	Rate       string        `yaml:"rate" scalar:"number-ok"` // a shape: 400, 0->400, step(100,400,4), sine(400,100,5s)
	Warmup     bool          `yaml:"warmup"`
	Chaos      string        `yaml:"chaos"`
	Thresholds []string      `yaml:"thresholds"`
}

// UnmarshalYAML accepts a string or a list.
func (p *stagePlan) UnmarshalYAML(unmarshal func(any) error) error {
	if err := unmarshal(&p.Spec); err == nil {
		return nil
	}
	p.Spec = ""
	return unmarshal(&p.List)
}

func (p stagePlan) empty() bool { return p.Spec == "" && len(p.List) == 0 }

// resolve turns the plan into engine stages and the stage thresholds.
func (p stagePlan) resolve() ([]attack.Stage, []results.Threshold, error) {
	if p.Spec != "" {
		st, err := attack.ParseStages(p.Spec)
		return st, nil, err
	}
	out := make([]attack.Stage, 0, len(p.List))
	var ths []results.Threshold
	for i, y := range p.List {
		sh, err := attack.ParseShape(y.Rate)
		if err != nil {
			return nil, nil, fmt.Errorf("stages: stage %d rate %q: %w", i+1, y.Rate, err)
		}
		if y.Chaos != "" {
			if _, err := attack.ParseStageChaos(y.Chaos); err != nil {
				return nil, nil, fmt.Errorf("stages: stage %d chaos: %w", i+1, err)
			}
		}
		out = append(out, attack.Stage{Name: y.Name, Duration: y.Duration, Shape: sh, Warmup: y.Warmup, Chaos: y.Chaos, Thresholds: y.Thresholds})
	}
	if err := attack.CheckStages(out); err != nil {
		return nil, nil, fmt.Errorf("stages: %w", err)
	}
	for _, st := range out {
		for _, expr := range st.Thresholds {
			th, err := results.ParseThreshold("stage." + st.Name + "." + expr)
			if err != nil {
				return nil, nil, fmt.Errorf("stages: stage %s: %w", st.Name, err)
			}
			ths = append(ths, th)
		}
	}
	return out, ths, nil
}

// shareStages scales every stage's rates to one shard's share.
func shareStages(stages []attack.Stage, n int) {
	if n <= 1 {
		return
	}
	f := 1 / float64(n)
	for i := range stages {
		sh := &stages[i].Shape
		sh.From, sh.To, sh.Amp = sh.From*f, sh.To*f, sh.Amp*f
	}
}

func pauses(in []attack.Pause) []results.Pause {
	out := make([]results.Pause, len(in))
	for i, p := range in {
		out[i] = results.Pause{At: p.At, Length: p.Length}
	}
	return out
}

// abortCheck returns the engine's abort test: the first failing threshold
// marked `!` (or any, with --abort-on-fail) ends the run. nil when none
// aborts.
func abortCheck(ths []results.Threshold, all bool) func(*results.Summary) string {
	var abort []results.Threshold
	for _, t := range ths {
		if all || t.Abort {
			abort = append(abort, t)
		}
	}
	if len(abort) == 0 {
		return nil
	}
	return firstFailing(abort)
}

// liveCheck judges every threshold of the run: the dashboard's live
// verdict, by the same code as the final one.
func liveCheck(ths []results.Threshold) func(*results.Summary) string {
	return firstFailing(ths)
}

// firstFailing names the first of ths the summary fails, "" when none.
func firstFailing(ths []results.Threshold) func(*results.Summary) string {
	return func(s *results.Summary) string {
		for _, t := range ths {
			if v, ok := t.Check(s); !ok {
				return fmt.Sprintf("threshold %s failed (value %.4g %s)", t.Expr, v, t.Unit())
			}
		}
		return ""
	}
}
