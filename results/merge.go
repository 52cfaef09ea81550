package results

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// MergeInputError is a merge refused because of its inputs: a directory
// that cannot be read, or directories that do not belong together. The CLI
// maps it to exit code 2.
type MergeInputError struct {
	Dirs   []string // the directories concerned: one, or the two that disagree
	Reason string
	Err    error // underlying error, if any
}

func (e *MergeInputError) Error() string {
	reason := oneLine(e.Reason)
	switch len(e.Dirs) {
	case 0:
		return "merge: " + reason
	case 1:
		return fmt.Sprintf("merge: %s: %s", e.Dirs[0], reason)
	default:
		return fmt.Sprintf("merge: %s and %s: %s", e.Dirs[0], e.Dirs[1], reason)
	}
}

// oneLine bounds a reason: decoders quote what they could not parse, and
// a damaged file can hold a megabyte-long cell or line breaks.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxReason {
		s = strings.ToValidUTF8(s[:maxReason], "") + "…"
	}
	return s
}

const maxReason = 300

func (e *MergeInputError) Unwrap() error { return e.Err }

// MergeOptions tune Merge.
type MergeOptions struct {
	// AllowPartial merges an incomplete shard set (recorded in the
	// summary as partial) instead of refusing it.
	AllowPartial bool
	// Render writes further files (the human and CI reports) into the
	// merged directory before it is given its final name.
	Render func(dir string, s *Summary) error
}

// Merge combines the result directories of shards of one scenario into out:
// histograms merge losslessly, counters add, events.csv and
// results.bin are concatenated, the timeline is merged by second (aligned on
// wall-clock time) and the stored thresholds are re-evaluated. Every input
// is read completely first; a bad one, directories of different schema
// versions or scenarios, a shard given twice or a missing shard are refused
// with a *MergeInputError and nothing is written. The merge is built in a
// temporary directory next to out and renamed to out when complete.
func Merge(dirs []string, out string, opts MergeOptions) (*Summary, error) {
	if len(dirs) == 0 {
		return nil, &MergeInputError{Reason: "no input directories"}
	}
	if err := checkOut(out); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	inputs, err := loadMergeInputs(dirs)
	if err != nil {
		return nil, err
	}
	if err := checkSpread(inputs); err != nil {
		return nil, err
	}
	missing, err := checkShardSet(inputs, opts.AllowPartial)
	if err != nil {
		return nil, err
	}
	for _, in := range inputs {
		if err := checkStreams(in); err != nil {
			return nil, err
		}
	}
	s, err := mergeSummaries(inputs)
	if err != nil {
		return nil, err
	}
	s.Partial = len(missing) > 0
	ths, err := mergedThresholds(inputs)
	if err != nil {
		return nil, err
	}
	Evaluate(s, ths)

	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".merging-*")
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	if err := writeMerged(tmp, inputs, s, opts); err != nil {
		_ = os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err == nil {
		_ = os.Remove(out) // an empty directory only; checkOut refused anything else
		err = os.Rename(tmp, out)
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, fmt.Errorf("merge: %w", err)
	}
	return s, nil
}

func writeMerged(tmp string, inputs []*mergeInput, s *Summary, opts MergeOptions) error {
	d, err := CreateDirWith(tmp, mergedDirOptions(inputs))
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := mergeStreams(d, inputs, s); err != nil {
		_ = d.Finish(nil)
		return err
	}
	s.Files = mergedFiles(inputs, d)
	if err := d.Finish(s); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if opts.Render != nil {
		if err := opts.Render(tmp, s); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	return nil
}

// checkOut accepts a missing path or an empty directory.
func checkOut(out string) error {
	if out == "" {
		return errors.New("results directory: empty path")
	}
	fi, err := os.Stat(out)
	if err != nil {
		return nil
	}
	if !fi.IsDir() {
		return fmt.Errorf("results directory %q: exists and is not a directory", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("results directory %q: %w", out, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("results directory %q: %w (it holds %q): choose a new directory or remove it", out, ErrDirNotEmpty, entries[0].Name())
	}
	return nil
}

// mergeInput is one loaded shard and its offset from the merged start.
type mergeInput struct {
	dir    string
	s      *Summary
	offset int // whole seconds between the merged start and this shard's start
}

func loadMergeInputs(dirs []string) ([]*mergeInput, error) {
	var inputs []*mergeInput
	seen := map[string]string{}
	for _, dir := range dirs {
		abs, err := filepath.Abs(dir)
		if err != nil {
			abs = filepath.Clean(dir)
		}
		if prev, dup := seen[abs]; dup {
			return nil, &MergeInputError{Dirs: []string{prev, dir}, Reason: "the same directory is listed twice"}
		}
		seen[abs] = dir
		l, err := LoadDir(dir)
		if err != nil {
			return nil, &MergeInputError{Dirs: []string{dir}, Reason: err.Error(), Err: err}
		}
		inputs = append(inputs, &mergeInput{dir: dir, s: l.Summary})
	}
	first := inputs[0]
	for _, in := range inputs[1:] {
		if in.s.Schema != first.s.Schema {
			return nil, &MergeInputError{Dirs: []string{first.dir, in.dir},
				Reason: fmt.Sprintf("different schema versions %q and %q", first.s.Schema, in.s.Schema)}
		}
		if in.s.ScenarioID != first.s.ScenarioID {
			return nil, &MergeInputError{Dirs: []string{first.dir, in.dir},
				Reason: fmt.Sprintf("different scenarios (scenario_id %q and %q): only shards of one scenario can be merged", first.s.ScenarioID, in.s.ScenarioID)}
		}
	}
	start := inputs[0].s.StartedAt
	for _, in := range inputs {
		if in.s.StartedAt.Before(start) {
			start = in.s.StartedAt
		}
	}
	for _, in := range inputs {
		in.offset = int(math.Round(in.s.StartedAt.Sub(start).Seconds()))
	}
	return inputs, nil
}

// mergeSummaries adds the shards' counters and histograms.
func mergeSummaries(inputs []*mergeInput) (*Summary, error) {
	first := inputs[0].s
	m := &Summary{
		Schema:      first.Schema,
		Config:      maps.Clone(first.Config),
		ScenarioID:  first.ScenarioID,
		StartedAt:   first.StartedAt,
		Chaos:       Chaos{Injected: map[string]uint64{}, Produced: map[string]map[string]uint64{}},
		Histograms:  &Histograms{},
		Thresholds:  []ThresholdResult{},
		RateChanges: []RateChange{},
	}
	delete(m.Config, "shard")
	var end time.Time
	for _, in := range inputs {
		s := in.s
		m.MergedFrom = append(m.MergedFrom, in.dir)
		if s.StartedAt.Before(m.StartedAt) {
			m.StartedAt = s.StartedAt
		}
		if e := s.StartedAt.Add(s.Elapsed()); e.After(end) {
			end = e
		}
		m.Interrupted = m.Interrupted || s.Interrupted
		m.Requests.Total += s.Requests.Total
		m.Requests.Dropped += s.Requests.Dropped
		for k := range s.Requests.ByKind {
			m.Requests.ByKind[k] += s.Requests.ByKind[k]
		}
		for o := range s.Outcomes {
			m.Outcomes[o] += s.Outcomes[o]
		}
		for f := range s.Families {
			m.Families[f] += s.Families[f]
		}
		m.RaceLogouts.Count += s.RaceLogouts.Count
		m.ReSignedIn += s.ReSignedIn
		for k, n := range s.Chaos.Injected {
			m.Chaos.Injected[k] += n
		}
		for k, byOutcome := range s.Chaos.Produced {
			if m.Chaos.Produced[k] == nil {
				m.Chaos.Produced[k] = map[string]uint64{}
			}
			for o, n := range byOutcome {
				m.Chaos.Produced[k][o] += n
			}
		}
		m.ConcurrentSpread = mergeSpread(m.ConcurrentSpread, s.ConcurrentSpread)
		if s.Histograms != nil {
			if err := m.Histograms.Merge(s.Histograms); err != nil {
				return nil, &MergeInputError{Dirs: []string{in.dir}, Reason: err.Error(), Err: err}
			}
		}
	}
	m.StartedAt = m.StartedAt.UTC()
	m.ElapsedS = end.Sub(m.StartedAt).Seconds()
	for _, in := range inputs {
		shift := in.s.StartedAt.Sub(m.StartedAt)
		for _, rc := range in.s.RateChanges {
			m.RateChanges = append(m.RateChanges, RateChange{At: rc.At + shift, Rate: rc.Rate})
		}
	}
	slices.SortStableFunc(m.RateChanges, func(a, b RateChange) int { return int(a.At - b.At) })
	if err := mergeStages(m, inputs); err != nil {
		return nil, err
	}
	m.recompute()
	return m, nil
}

// mergeSpread combines burst spreads. Quantiles of separate runs cannot be
// merged exactly: each percentile is the larger of the two (conservative),
// counts add.
func mergeSpread(a, b *LatencyMs) *LatencyMs {
	if b == nil {
		return a
	}
	if a == nil {
		c := *b
		return &c
	}
	return &LatencyMs{
		P50: math.Max(a.P50, b.P50), P90: math.Max(a.P90, b.P90), P99: math.Max(a.P99, b.P99),
		P999: math.Max(a.P999, b.P999), Max: math.Max(a.Max, b.Max), Count: a.Count + b.Count,
	}
}

// mergedThresholds re-parses the thresholds stored in the shards (in order,
// without duplicates); shards that stored none get the defaults.
func mergedThresholds(inputs []*mergeInput) ([]Threshold, error) {
	var out []Threshold
	seen := map[string]bool{}
	for _, in := range inputs {
		ths, err := StoredThresholds(in.s)
		if err != nil {
			return nil, &MergeInputError{Dirs: []string{in.dir}, Reason: err.Error(), Err: err}
		}
		for _, t := range ths {
			if !seen[t.Expr] {
				seen[t.Expr] = true
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		return DefaultThresholds(), nil
	}
	return out, nil
}
