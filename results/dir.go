package results

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// File names inside a results directory.
const (
	FileSummaryJSON = "summary.json"
	FileSummaryText = "summary.txt"
	FileEvents      = "events.csv"
	FileHlog        = "latency.hlog"
	FileResultsBin  = "results.bin"
	FileJUnit       = "junit.xml"
	FileReport      = "report.html"
	FileHistograms  = "histograms.json"
	FileTimeline    = "timeline.csv"
)

const streamBuffer = 64 << 10

// partialSuffix marks a streamed file that is still being written (or
// whose run was killed): it is renamed to its final name by Close.
const partialSuffix = ".partial"

// flushEvery bounds what a kill -9 can lose from the streamed files.
const flushEvery = time.Second

// ErrDirNotEmpty is wrapped by CreateDir's error for an existing directory
// that holds files.
var ErrDirNotEmpty = errors.New("directory is not empty")

// Dir is a results directory being written: events.csv, latency.hlog and
// (when asked) results.bin are streamed while the run goes; Finish writes
// the rest. Its methods may be called from different goroutines.
type Dir struct {
	path string
	opts DirOptions

	mu       sync.Mutex
	events   *stream
	hlog     *stream
	bin      *stream // nil unless DirOptions.VegetaResults
	hw       *hdr.HistogramLogWriter
	enc      vegeta.Encoder
	row      []byte
	sample   sampler
	began    bool
	closed   bool
	finished bool
	err      error         // first streaming error, naming the file
	failed   chan struct{} // closed at the first streaming error
	stop     chan struct{} // ends the flusher
}

// stream is one streamed file, written as name.partial until Close;
// gzip-compressed when its name ends in .gz.
type stream struct {
	path string // final name
	f    *os.File
	gz   *gzip.Writer // nil: plain
	w    *bufio.Writer
}

func openStream(path string) (*stream, error) {
	f, err := os.OpenFile(path+partialSuffix, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	s := &stream{path: path, f: f, w: bufio.NewWriterSize(f, streamBuffer)}
	if strings.HasSuffix(path, gzSuffix) {
		s.gz = gzip.NewWriter(f)
		s.w = bufio.NewWriterSize(s.gz, streamBuffer)
	}
	return s, nil
}

// flush pushes the buffer to the file; a gzip stream is flushed to a
// block boundary, so a killed run leaves a readable prefix.
func (s *stream) flush() error {
	if s == nil {
		return nil
	}
	err := s.w.Flush()
	if s.gz != nil && err == nil {
		err = s.gz.Flush()
	}
	return s.wrap(err)
}

// wrap names the file in a write error.
func (s *stream) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", s.path, err)
}

// close flushes, syncs and closes the file, then gives it its final name
// unless writing failed (a .partial file is recognisably incomplete).
func (s *stream) close() error {
	if s == nil {
		return nil
	}
	err := s.w.Flush()
	if s.gz != nil {
		if e := s.gz.Close(); err == nil {
			err = e
		}
	}
	if e := s.f.Sync(); err == nil {
		err = e
	}
	if e := s.f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(s.path+partialSuffix, s.path)
	}
	return s.wrap(err)
}

// CreateDir creates a results directory that keeps everything: every
// events.csv row and results.bin. Runs choose with CreateDirWith.
func CreateDir(path string) (*Dir, error) {
	return CreateDirWith(path, DirOptions{EventsEvery: 1, VegetaResults: FileResultsBin})
}

// CreateDirWith creates the results directory (and its parents) and opens
// the streamed files. It refuses an existing directory that is not empty.
func CreateDirWith(path string, opts DirOptions) (*Dir, error) {
	opts = opts.resolved()
	if path == "" {
		return nil, errors.New("results directory: empty path")
	}
	if fi, err := os.Stat(path); err == nil {
		if !fi.IsDir() {
			return nil, fmt.Errorf("results directory %q: exists and is not a directory", path)
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("results directory %q: %w", path, err)
		}
		if len(entries) > 0 {
			return nil, fmt.Errorf("results directory %q: %w (it holds %q and %d more): choose a new directory or remove it",
				path, ErrDirNotEmpty, entries[0].Name(), len(entries)-1)
		}
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("results directory %q: %w", path, err)
	}
	d := &Dir{path: path, opts: opts, row: make([]byte, 0, 512), sample: sampler{every: uint64(opts.EventsEvery)},
		failed: make(chan struct{}), stop: make(chan struct{})}
	var err error
	if d.events, err = openStream(filepath.Join(path, opts.eventsName())); err == nil {
		_, err = d.events.w.WriteString(eventsHeader)
	}
	if err == nil {
		d.hlog, err = openStream(filepath.Join(path, FileHlog))
	}
	if err == nil && opts.VegetaResults != "" {
		d.bin, err = openStream(filepath.Join(path, opts.VegetaResults))
	}
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("results directory %q: %w", path, err)
	}
	d.hw = hdr.NewHistogramLogWriter(d.hlog.w)
	if d.bin != nil {
		d.enc = vegeta.NewEncoder(d.bin.w)
	}
	go d.flushLoop()
	return d, nil
}

// flushLoop pushes the buffers to the files every second, so a killed
// run leaves everything but the last second on disk.
func (d *Dir) flushLoop() {
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.mu.Lock()
			if !d.closed {
				for _, s := range []*stream{d.events, d.hlog, d.bin} {
					d.fail(s.flush())
				}
			}
			d.mu.Unlock()
		}
	}
}

// Failed is closed at the first write error of a streamed file (a full
// disk): the run should stop, since further results would be lost.
func (d *Dir) Failed() <-chan struct{} { return d.failed }

// Err is the first streaming error, naming the file, or nil.
func (d *Dir) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Path is the directory's path.
func (d *Dir) Path() string { return d.path }

func (d *Dir) fail(err error) {
	if err != nil && d.err == nil {
		d.err = err
		close(d.failed)
	}
}

// begin writes the latency.hlog header; interval timestamps are absolute
// (seconds since the epoch), StartTime is the run's start.
func (d *Dir) begin(start time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.began {
		return
	}
	d.began = true
	d.fail(d.hlog.wrap(d.hw.OutputLogFormatVersion()))
	d.fail(d.hlog.wrap(d.hw.OutputComment("[refreshstorm: values in nanoseconds, one tag per request kind]")))
	d.fail(d.hlog.wrap(d.hw.OutputStartTime(start.UnixMilli())))
	d.fail(d.hlog.wrap(d.hw.OutputLegend()))
}

// writeEvent appends one events.csv row, unless the sampler leaves this
// plain success out.
func (d *Dir) writeEvent(o *Observation, kind Kind, out oracle.Outcome, corrected time.Duration) {
	d.mu.Lock()
	if !d.closed && d.err == nil {
		if weight, keep := d.sample.keep(o, kind, out); keep {
			d.row = appendEvent(d.row[:0], o, kind, out.String(), corrected, weight)
			_, err := d.events.w.Write(d.row)
			d.fail(d.events.wrap(err))
		}
	}
	d.mu.Unlock()
}

// writeInterval appends one tagged interval histogram to latency.hlog.
func (d *Dir) writeInterval(h *hdr.Histogram, tag string, start, end time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.err != nil {
		return
	}
	h.SetTag(tag)
	h.SetStartTimeMs(start.UnixMilli())
	h.SetEndTimeMs(end.UnixMilli())
	d.fail(d.hlog.wrap(d.hw.OutputIntervalHistogram(h)))
}

// writeResult appends an already redacted vegeta result to results.bin.
func (d *Dir) writeResult(r *vegeta.Result) {
	d.mu.Lock()
	if !d.closed && d.err == nil && d.bin != nil {
		d.fail(d.bin.wrap(d.enc.Encode(r)))
	}
	d.mu.Unlock()
}

// Close flushes and closes the streamed files. It is idempotent; Finish
// calls it.
func (d *Dir) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return d.err
	}
	d.closed = true
	close(d.stop)
	for _, s := range []*stream{d.events, d.hlog, d.bin} {
		d.fail(s.close())
	}
	return d.err
}
