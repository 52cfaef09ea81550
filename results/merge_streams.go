package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// mergeStreams concatenates the shards' events.csv, latency.hlog and
// results.bin into d and builds s.Timeline.
func mergeStreams(d *Dir, inputs []*mergeInput, s *Summary) error {
	perSecond := map[int]*hdr.Histogram{} // merged second -> load latency
	d.begin(s.StartedAt)
	for _, in := range inputs {
		if err := copyEvents(d, in.dir); err != nil {
			return err
		}
		if err := copyHlog(d, in, perSecond); err != nil {
			return err
		}
		if err := copyResults(d, in.dir); err != nil {
			return err
		}
	}
	s.Timeline = mergeTimelines(inputs, perSecond)
	return nil
}

func inputError(dir, file string, err error) error {
	return &MergeInputError{Dirs: []string{dir}, Reason: fmt.Sprintf("%s: %v", file, unwrapPathError(err)), Err: err}
}

// copyEvents appends the shard's rows as they are: each keeps its weight,
// so a merge of sampled shards is weighted the same way.
func copyEvents(d *Dir, dir string) error {
	f, name, err := OpenStreamed(dir, FileEvents)
	if err != nil {
		return inputError(dir, name, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, streamBuffer)
	head, err := br.ReadString('\n')
	if err != nil && err != io.EOF {
		return inputError(dir, name, err)
	}
	if head != eventsHeader && head != eventsHeaderUnweighted {
		return inputError(dir, name, fmt.Errorf("header %q is not %q", strings.TrimSpace(head), strings.TrimSpace(eventsHeader)))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if head == eventsHeaderUnweighted {
		return weighOne(d, br)
	}
	if _, err := io.Copy(d.events.w, br); err != nil {
		return fmt.Errorf("merge: %s: %w", FileEvents, err)
	}
	return nil
}

// weighOne copies the rows of an events.csv written before the weight
// column, each with weight 1 (they were never sampled).
func weighOne(d *Dir, r io.Reader) error {
	cr := csv.NewReader(r)
	cw := csv.NewWriter(d.events.w)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			cw.Flush()
			return cw.Error()
		}
		if err != nil {
			return fmt.Errorf("merge: %s: %w", FileEvents, err)
		}
		if err := cw.Write(append(rec, "1")); err != nil {
			return fmt.Errorf("merge: %s: %w", FileEvents, err)
		}
	}
}

// copyHlog appends the shard's interval lines (absolute timestamps) and adds
// its load-kind intervals to perSecond.
func copyHlog(d *Dir, in *mergeInput, perSecond map[int]*hdr.Histogram) error {
	p := filepath.Join(in.dir, FileHlog)
	b, err := os.ReadFile(p)
	if err != nil {
		return inputError(in.dir, FileHlog, err)
	}
	r := hdr.NewHistogramLogReader(bytes.NewReader(b))
	startMs := in.s.StartedAt.UnixMilli()
	for {
		h, err := r.NextIntervalHistogram()
		if err != nil {
			return inputError(in.dir, FileHlog, err)
		}
		if h == nil {
			break
		}
		k, ok := ParseKind(h.Tag())
		if !ok || !isLoad(k) {
			continue
		}
		sec := int(math.Round(float64(h.StartTimeMs()-startMs)/1000)) + in.offset
		if perSecond[sec] == nil {
			perSecond[sec] = newLatencyHist()
		}
		perSecond[sec].Merge(h)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for line := range strings.Lines(string(b)) {
		if line == "" || line[0] == '#' || line[0] == '"' {
			continue
		}
		if _, err := d.hlog.w.WriteString(line); err != nil {
			return fmt.Errorf("merge: %s: %w", FileHlog, err)
		}
	}
	return nil
}

// copyResults appends the shard's results.bin, if it wrote one.
func copyResults(d *Dir, dir string) error {
	f, name, err := OpenStreamed(dir, FileResultsBin)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return inputError(dir, name, err)
	}
	defer f.Close()
	dec := vegeta.NewDecoder(bufio.NewReaderSize(f, streamBuffer))
	for {
		var res vegeta.Result
		err := dec.Decode(&res)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return inputError(dir, name, err)
		}
		red := redactResult(&res)
		d.writeResult(&red)
	}
}

// mergeTimelines adds the shards' seconds, aligned on wall-clock time; the
// percentiles of each second come from the merged latency.hlog intervals.
func mergeTimelines(inputs []*mergeInput, perSecond map[int]*hdr.Histogram) []TimelinePoint {
	bySecond := map[int]*TimelinePoint{}
	last := -1
	for _, in := range inputs {
		for _, p := range in.s.Timeline {
			sec := p.Second + in.offset
			m := bySecond[sec]
			if m == nil {
				m = &TimelinePoint{Second: sec}
				bySecond[sec] = m
			}
			m.Requests += p.Requests
			m.Rate += p.Rate
			m.Total += p.Total
			m.Failures += p.Failures
			m.Undecided += p.Undecided
			m.Requested += p.Requested
			m.RaceLogouts += p.RaceLogouts
			last = max(last, sec)
		}
	}
	out := make([]TimelinePoint, 0, last+1)
	for sec := 0; sec <= last; sec++ {
		p := TimelinePoint{Second: sec}
		if m := bySecond[sec]; m != nil {
			p = *m
		}
		if h := perSecond[sec]; h != nil {
			q := quantilesOf(h)
			p.P50, p.P99 = q.P50, q.P99
		}
		if p.Requests > 0 {
			p.RaceLogoutsPer1000 = float64(p.RaceLogouts) * 1000 / float64(p.Requests)
		}
		out = append(out, p)
	}
	return out
}

// mergedDirOptions keeps the shards' choices: the merge writes results.bin
// if any shard wrote one, and compresses what any shard compressed. Rows
// are copied, never sampled again.
func mergedDirOptions(inputs []*mergeInput) DirOptions {
	opts := DirOptions{EventsEvery: 1}
	for _, in := range inputs {
		f := in.s.Files
		if f == nil { // written before summary.json said: look
			if _, err := os.Stat(filepath.Join(in.dir, FileResultsBin)); err == nil {
				opts.VegetaResults = FileResultsBin
			}
			continue
		}
		if strings.HasSuffix(f.Events, gzSuffix) {
			opts.Gzip = true
		}
		if f.VegetaResults != "" && opts.VegetaResults == "" {
			opts.VegetaResults = FileResultsBin
		}
	}
	return opts
}

// mergedFiles adds the shards' row counts; the sample is theirs when they
// agree.
func mergedFiles(inputs []*mergeInput, d *Dir) *Files {
	out := d.files()
	out.EventsRows, out.EventsLeftOut, out.EventsSample = 0, 0, ""
	for _, in := range inputs {
		f := in.s.Files
		if f == nil {
			f = &Files{EventsSample: "all"}
		}
		out.EventsRows += f.EventsRows
		out.EventsLeftOut += f.EventsLeftOut
		switch out.EventsSample {
		case "", f.EventsSample:
			out.EventsSample = f.EventsSample
		default:
			out.EventsSample = "mixed"
		}
	}
	return out
}
