package results

import (
	"fmt"
	"slices"
)

// mergeStages adds the shards' stages, stage by stage: shards of one
// scenario run one plan, each with its share of the rate. Counters and
// histograms add; a stage starts when its earliest shard's did and lasts
// as long as its longest. Pauses are kept, on the merged clock.
func mergeStages(m *Summary, inputs []*mergeInput) error {
	first := inputs[0]
	for _, in := range inputs[1:] {
		if !samePlan(first.s.Stages, in.s.Stages) {
			return &MergeInputError{Dirs: []string{first.dir, in.dir},
				Reason: fmt.Sprintf("different stage plans %s and %s", stagePlanText(first.s.Stages), stagePlanText(in.s.Stages))}
		}
	}
	if len(first.s.Stages) == 0 {
		return nil
	}
	m.Stages = make([]StageSummary, len(first.s.Stages))
	for i := range m.Stages {
		st := &m.Stages[i]
		f := first.s.Stages[i]
		*st = StageSummary{Name: f.Name, Shape: f.Shape, Warmup: f.Warmup, StartS: -1, hist: newHistPair()}
		if len(inputs) > 1 {
			st.Shape = fmt.Sprintf("%d × %s", len(inputs), f.Shape) // each shard's share
		}
		for _, in := range inputs {
			o := &in.s.Stages[i]
			shift := in.s.StartedAt.Sub(m.StartedAt).Seconds()
			if st.StartS < 0 || o.StartS+shift < st.StartS {
				st.StartS = o.StartS + shift
			}
			st.DurationS = max(st.DurationS, o.DurationS)
			st.add(o)
		}
		st.finish(st.RaceLogouts.Count)
	}
	if m.Histograms != nil {
		m.Histograms.Stages = m.Histograms.Stages[:0]
		for _, st := range m.Stages {
			m.Histograms.Stages = append(m.Histograms.Stages, st.hist)
		}
	}
	for _, in := range inputs {
		shift := in.s.StartedAt.Sub(m.StartedAt)
		for _, p := range in.s.Pauses {
			m.Pauses = append(m.Pauses, Pause{At: p.At + shift, Length: p.Length})
		}
	}
	slices.SortStableFunc(m.Pauses, func(a, b Pause) int { return int(a.At - b.At) })
	m.measure()
	return nil
}

// samePlan reports whether two runs' stages are one plan: the same names
// and warmup flags (shapes differ by each shard's share of the rate).
func samePlan(a, b []StageSummary) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Warmup != b[i].Warmup {
			return false
		}
	}
	return true
}

// stagePlanText names a run's stages for an error message.
func stagePlanText(st []StageSummary) string {
	names := make([]string, len(st))
	for i, s := range st {
		names[i] = s.Name
	}
	return fmt.Sprint(names)
}
