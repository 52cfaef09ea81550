package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// checkStreams reads a shard's streamed files to the end before anything
// is written: a run killed mid-write (a .partial file, a row cut short, a
// truncated record) is refused, naming the file and the problem.
func checkStreams(in *mergeInput) error {
	for _, name := range []string{FileEvents, FileEvents + gzSuffix, FileHlog, FileResultsBin, FileResultsBin + gzSuffix} {
		if _, err := os.Stat(filepath.Join(in.dir, name+partialSuffix)); err == nil {
			return inputError(in.dir, name+partialSuffix, errors.New("left by a run that did not finish (killed?)"))
		}
	}
	if err := checkEvents(in.dir); err != nil {
		return err
	}
	if err := checkHlog(in.dir); err != nil {
		return err
	}
	return checkResults(in.dir)
}

func checkEvents(dir string) error {
	f, name, err := OpenStreamed(dir, FileEvents)
	if err != nil {
		return inputError(dir, name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return inputError(dir, name, err)
	}
	header := eventsHeader
	if bytes.HasPrefix(b, []byte(eventsHeaderUnweighted)) {
		header = eventsHeaderUnweighted
	}
	if !bytes.HasPrefix(b, []byte(header)) {
		head, _, _ := strings.Cut(string(b), "\n")
		return inputError(dir, name, fmt.Errorf("header %.80q is not %q", head, strings.TrimSpace(eventsHeader)))
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return inputError(dir, name, errors.New("the last row is cut short (no final newline)"))
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = strings.Count(header, ",") + 1
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return inputError(dir, name, err)
		}
	}
}

func checkHlog(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, FileHlog))
	if err != nil {
		return inputError(dir, FileHlog, err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return inputError(dir, FileHlog, errors.New("the last line is cut short (no final newline)"))
	}
	r := hdr.NewHistogramLogReader(bytes.NewReader(b))
	for {
		h, err := r.NextIntervalHistogram()
		if err != nil {
			return inputError(dir, FileHlog, err)
		}
		if h == nil {
			return nil
		}
	}
}

// checkResults reads results.bin (or results.bin.gz) if the run wrote one.
func checkResults(dir string) error {
	f, name, err := OpenStreamed(dir, FileResultsBin)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return inputError(dir, name, err)
	}
	defer f.Close()
	dec := vegeta.NewDecoder(bufio.NewReaderSize(f, streamBuffer))
	for n := 0; ; n++ {
		var res vegeta.Result
		err := dec.Decode(&res)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return inputError(dir, name, fmt.Errorf("record %d: %w (truncated?)", n+1, err))
		}
	}
}

// checkShardSet refuses the same shard twice (a directory copied) and a
// set that misses shards: counts would be doubled or silently short. It
// returns the missing shards, which allowPartial accepts.
func checkShardSet(inputs []*mergeInput, allowPartial bool) (missing []string, err error) {
	byShard := map[string]string{}
	n := 0
	for _, in := range inputs {
		spec, _ := in.s.Config["shard"].(string)
		var i, count int
		if _, perr := fmt.Sscanf(spec, "%d/%d", &i, &count); perr != nil || count < 1 || i < 1 || i > count {
			if allowPartial {
				continue
			}
			return nil, &MergeInputError{Dirs: []string{in.dir},
				Reason: fmt.Sprintf("not a shard (its config has shard %q, want i/n); --allow-partial merges it anyway", spec)}
		}
		if n == 0 {
			n = count
		}
		if count != n {
			return nil, &MergeInputError{Dirs: []string{inputs[0].dir, in.dir},
				Reason: fmt.Sprintf("shards of different splits (%d and %d shards)", n, count)}
		}
		key := fmt.Sprintf("%d/%d", i, count)
		if prev, dup := byShard[key]; dup {
			return nil, &MergeInputError{Dirs: []string{prev, in.dir},
				Reason: fmt.Sprintf("both are shard %s (a copy?): merging them would count it twice", key)}
		}
		byShard[key] = in.dir
	}
	for i := 1; i <= n; i++ {
		if key := fmt.Sprintf("%d/%d", i, n); byShard[key] == "" {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 && !allowPartial {
		return nil, &MergeInputError{Reason: fmt.Sprintf("shard %s missing (have %d of %d); --allow-partial merges the rest",
			strings.Join(missing, ", "), len(byShard), n)}
	}
	return missing, nil
}

// maxShardSpread is how far apart shards of one run may have started:
// they are launched together (an Indexed Job, a CI matrix), and the
// merged timeline holds one row per second of the whole spread.
const maxShardSpread = 24 * time.Hour

// checkSpread refuses timelines the merge cannot lay out: shards started
// more than maxShardSpread apart, and timeline seconds outside their run
// (the merged timeline is dense, so one absurd second would allocate
// billions of rows).
func checkSpread(inputs []*mergeInput) error {
	for _, in := range inputs {
		if in.offset < 0 || in.offset > int(maxShardSpread/time.Second) {
			return &MergeInputError{Dirs: []string{inputs[0].dir, in.dir},
				Reason: fmt.Sprintf("started %s apart; shards of one run start together (at most %s)", time.Duration(in.offset)*time.Second, maxShardSpread)}
		}
		last := min(in.s.ElapsedS, maxShardSpread.Seconds()) + 60
		for _, p := range in.s.Timeline {
			if p.Second < 0 || !(float64(p.Second) <= last) {
				return inputError(in.dir, FileTimeline, fmt.Errorf("second %d is outside the run (%.0fs long)", p.Second, in.s.ElapsedS))
			}
		}
	}
	return nil
}
