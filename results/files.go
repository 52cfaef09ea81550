package results

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// gzSuffix marks a gzip-compressed streamed file; readers accept a file
// under its plain name or with this suffix.
const gzSuffix = ".gz"

// DefaultEventsEvery is the share of plain successes events.csv keeps by
// default: one in this many. Rows are small, but at 1,000 refreshes/s an
// hour of every row is hundreds of megabytes, almost all of them saying
// "ok_rotated".
const DefaultEventsEvery = 10

// DirOptions choose what a results directory streams.
type DirOptions struct {
	// EventsEvery keeps one plain success in this many in events.csv,
	// each kept row weighted by it; every other row is always kept.
	// 1 keeps every row; 0 means DefaultEventsEvery.
	EventsEvery int
	// VegetaResults names the vegeta results file: "" for none,
	// results.bin, or results.bin.gz for a compressed one.
	VegetaResults string
	// Gzip compresses events.csv (events.csv.gz) and results.bin.
	Gzip bool
}

func (o DirOptions) resolved() DirOptions {
	if o.EventsEvery <= 0 {
		o.EventsEvery = DefaultEventsEvery
	}
	if o.Gzip && o.VegetaResults != "" && !strings.HasSuffix(o.VegetaResults, gzSuffix) {
		o.VegetaResults += gzSuffix
	}
	return o
}

func (o DirOptions) eventsName() string {
	if o.Gzip {
		return FileEvents + gzSuffix
	}
	return FileEvents
}

// ParseEvents reads the events.csv mode: all (every row), sampled (one
// plain success in DefaultEventsEvery) or 1/N. It returns N.
func ParseEvents(spec string) (int, error) {
	switch spec {
	case "all":
		return 1, nil
	case "sampled", "":
		return DefaultEventsEvery, nil
	}
	if rest, ok := strings.CutPrefix(spec, "1/"); ok {
		if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= 1_000_000 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%q: want all, sampled or 1/N with N from 1 to 1000000", spec)
}

// ParseVegetaResults checks the name of the vegeta results file.
func ParseVegetaResults(name string) error {
	if name != FileResultsBin && name != FileResultsBin+gzSuffix {
		return fmt.Errorf("%q: want %s or %s%s (the file is written inside the results directory)", name, FileResultsBin, FileResultsBin, gzSuffix)
	}
	return nil
}

// sampler decides which events.csv rows are kept. Plain successes (an
// ok_rotated refresh without chaos) are kept one in every, counted in
// arrival order, so the same sequence of observations always gives the
// same file; the kept row carries the weight every. Anything else is
// kept with weight 1: failures, rejections and chaos are never sampled.
type sampler struct {
	every uint64
	plain uint64 // plain successes seen
	rows  uint64 // rows written
	left  uint64 // plain successes left out
}

func (s *sampler) keep(o *Observation, kind Kind, out oracle.Outcome) (weight uint64, keep bool) {
	if s.every <= 1 || out != oracle.OKRotated || kind != KindRefresh || o.Chaos != "" {
		s.rows++
		return 1, true
	}
	s.plain++
	if (s.plain-1)%s.every != 0 {
		s.left++
		return 0, false
	}
	s.rows++
	return s.every, true
}

// Files describes the streamed files of a results directory in
// summary.json: which were written and how events.csv was sampled.
// Counts never come from the sample: summary.json's counters are exact.
type Files struct {
	Events string `json:"events"`
	// EventsSample is "all" or "1/N" (one plain success in N kept, with
	// weight N); "mixed" for a merge of differently sampled shards.
	EventsSample string `json:"events_sample"`
	EventsRows   uint64 `json:"events_rows"`
	// EventsLeftOut counts the plain successes the sample left out.
	EventsLeftOut uint64 `json:"events_left_out"`
	VegetaResults string `json:"vegeta_results,omitempty"`
}

func sampleName(every uint64) string {
	if every <= 1 {
		return "all"
	}
	return "1/" + strconv.FormatUint(every, 10)
}

// files reports what the directory streamed so far.
func (d *Dir) files() *Files {
	d.mu.Lock()
	defer d.mu.Unlock()
	return &Files{
		Events:        d.opts.eventsName(),
		EventsSample:  sampleName(d.sample.every),
		EventsRows:    d.sample.rows,
		EventsLeftOut: d.sample.left,
		VegetaResults: d.opts.VegetaResults,
	}
}

// OpenStreamed opens a streamed file of a results directory by its plain
// name (events.csv, results.bin), whether it was written plain or
// gzip-compressed; reading decompresses. It returns the name found. A
// file absent under both names is an fs.ErrNotExist error.
func OpenStreamed(dir, name string) (io.ReadCloser, string, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err == nil {
		return f, name, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, name, err
	}
	gzName := name + gzSuffix
	f, err = os.Open(filepath.Join(dir, gzName))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, name, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
		}
		return nil, gzName, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, gzName, fmt.Errorf("not gzip: %w", err)
	}
	return &gzFile{Reader: zr, f: f}, gzName, nil
}

type gzFile struct {
	*gzip.Reader
	f *os.File
}

func (g *gzFile) Close() error {
	err := g.Reader.Close()
	if e := g.f.Close(); err == nil {
		err = e
	}
	return err
}
