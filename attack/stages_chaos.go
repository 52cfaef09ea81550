package attack

import (
	"fmt"
	"time"
)

// stageChaos is the chaos mix of one stage and its chooser.
type stageChaos struct {
	spec    ChaosSpec
	chooser *chooser
}

// chaosNoneWord is the stage chaos that turns chaos off in that stage.
const chaosNoneWord = "none"

// ParseStageChaos reads a stage's chaos: "" keeps the run's mix, "none"
// turns chaos off in the stage, anything else is a mix as for --chaos.
func ParseStageChaos(s string) (ChaosSpec, error) {
	if s == chaosNoneWord {
		return ChaosSpec{}, nil
	}
	return ParseChaos(s)
}

// stageChaosOf returns the chaos of every stage: the run's, or the
// stage's own. The choosers of all stages pick from one event sequence,
// so a stage's events are as reproducible as the run's.
func stageChaosOf(run ChaosSpec, stages []Stage, seed int64) ([]stageChaos, error) {
	own := false
	for _, st := range stages {
		own = own || st.Chaos != ""
	}
	if !own {
		return nil, nil // every stage keeps the run's mix
	}
	out := make([]stageChaos, len(stages))
	for i, st := range stages {
		spec := run
		if st.Chaos != "" {
			var err error
			if spec, err = ParseStageChaos(st.Chaos); err != nil {
				return nil, fmt.Errorf("stage %s: %w", st.Name, err)
			}
		}
		out[i] = stageChaos{spec: spec, chooser: newChooser(spec, seed)}
	}
	return out, nil
}

// pickChaos chooses the chaos of the next leased session, from the mix of
// the stage the run is in. Stages an open plan appends later keep the
// run's mix.
func (e *Engine) pickChaos() ChaosKind {
	k := e.eventSeq.Add(1)
	if len(e.stageChaos) > 0 && e.pacer != nil {
		if i := e.pacer.StageAt(time.Since(e.start)); i < len(e.stageChaos) {
			return e.stageChaos[i].chooser.pick(k)
		}
	}
	return e.chooser.pick(k)
}

// chaosItem returns the parameters (delay, burst size) of kind: from the
// mix of the stage the run is in, else from the run's or any stage's mix
// that injects it. An event chosen just before a stage boundary can be
// handled after it.
func (e *Engine) chaosItem(kind ChaosKind) ChaosItem {
	specs := make([]ChaosSpec, 0, len(e.stageChaos)+2)
	if len(e.stageChaos) > 0 && e.pacer != nil {
		if i := e.pacer.StageAt(time.Since(e.start)); i < len(e.stageChaos) {
			specs = append(specs, e.stageChaos[i].spec)
		}
	}
	specs = append(specs, e.cfg.Chaos)
	for _, sc := range e.stageChaos {
		specs = append(specs, sc.spec)
	}
	for _, sp := range specs {
		if it := sp.item(kind); it.Fraction > 0 {
			return it
		}
	}
	return ChaosItem{Kind: kind, N: defaultConcurrentN, Delay: map[ChaosKind]time.Duration{
		ChaosReplay: defaultReplayDelay, ChaosLostResponse: defaultRetryDelay}[kind]}
}

// allChaos lists the run's mix and every stage's.
func (e *Engine) allChaos() []ChaosSpec {
	out := []ChaosSpec{e.cfg.Chaos}
	for _, sc := range e.stageChaos {
		out = append(out, sc.spec)
	}
	return out
}
