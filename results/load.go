package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Loaded is a results directory read back.
type Loaded struct {
	Path    string
	Summary *Summary // with Timeline and Histograms
}

// LoadDir reads summary.json, histograms.json and timeline.csv of a results
// directory. Errors name the file and the problem.
func LoadDir(path string) (*Loaded, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("results directory %q: %w", path, unwrapPathError(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("results directory %q: not a directory", path)
	}
	s, err := readSummaryJSON(filepath.Join(path, FileSummaryJSON))
	if err != nil {
		return nil, err
	}
	hp := filepath.Join(path, FileHistograms)
	hb, err := os.ReadFile(hp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", hp, unwrapPathError(err))
	}
	s.Histograms = &Histograms{}
	if err := json.Unmarshal(hb, s.Histograms); err != nil {
		return nil, fmt.Errorf("%s: %w", hp, err)
	}
	s.restoreStages()
	tp := filepath.Join(path, FileTimeline)
	tf, err := os.Open(tp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tp, unwrapPathError(err))
	}
	defer tf.Close()
	if s.Timeline, err = readTimeline(tf); err != nil {
		return nil, fmt.Errorf("%s: %w", tp, err)
	}
	return &Loaded{Path: path, Summary: s}, nil
}

func readSummaryJSON(p string) (*Summary, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, unwrapPathError(err))
	}
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("%s: not valid JSON: %w", p, err)
	}
	switch {
	case head.Schema == nil:
		return nil, fmt.Errorf("%s: no \"schema\" field: not a refreshstorm summary", p)
	case *head.Schema != SchemaSummary && *head.Schema != SchemaSummaryV1:
		return nil, fmt.Errorf("%s: schema %.40q is not supported (want %q or %q)", p, *head.Schema, SchemaSummary, SchemaSummaryV1)
	}
	s := &Summary{}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(s); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if s.Schema == SchemaSummaryV1 {
		upgradeV1(s)
	}
	if s.Chaos.Injected == nil {
		s.Chaos.Injected = map[string]uint64{}
	}
	if s.Chaos.Produced == nil {
		s.Chaos.Produced = map[string]map[string]uint64{}
	}
	if s.Config == nil {
		s.Config = map[string]any{}
	}
	return s, nil
}

// unwrapPathError drops the path an *fs.PathError repeats.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if errors.Is(err, fs.ErrNotExist) {
			return errors.New("does not exist")
		}
		return pe.Err
	}
	return err
}
