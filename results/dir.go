package results

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// File names inside a results directory (DESIGN §6).
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

// ErrDirNotEmpty is wrapped by CreateDir's error for an existing directory
// that holds files.
var ErrDirNotEmpty = errors.New("directory is not empty")

// Dir is a results directory being written: events.csv, latency.hlog and
// results.bin are streamed while the run goes; Finish writes the rest.
// Its methods may be called from different goroutines.
type Dir struct {
	path string

	mu       sync.Mutex
	events   *stream
	hlog     *stream
	bin      *stream
	hw       *hdr.HistogramLogWriter
	enc      vegeta.Encoder
	row      []byte
	began    bool
	closed   bool
	finished bool
	err      error // first streaming error
}

type stream struct {
	f *os.File
	w *bufio.Writer
}

func openStream(path string) (*stream, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &stream{f: f, w: bufio.NewWriterSize(f, streamBuffer)}, nil
}

func (s *stream) close() error {
	if s == nil {
		return nil
	}
	err := s.w.Flush()
	if e := s.f.Sync(); err == nil {
		err = e
	}
	if e := s.f.Close(); err == nil {
		err = e
	}
	return err
}

// CreateDir creates the results directory (and its parents) and opens the
// streamed files. It refuses an existing directory that is not empty.
func CreateDir(path string) (*Dir, error) {
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
	d := &Dir{path: path, row: make([]byte, 0, 512)}
	var err error
	if d.events, err = openStream(filepath.Join(path, FileEvents)); err == nil {
		_, err = d.events.w.WriteString(eventsHeader)
	}
	if err == nil {
		d.hlog, err = openStream(filepath.Join(path, FileHlog))
	}
	if err == nil {
		d.bin, err = openStream(filepath.Join(path, FileResultsBin))
	}
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("results directory %q: %w", path, err)
	}
	d.hw = hdr.NewHistogramLogWriter(d.hlog.w)
	d.enc = vegeta.NewEncoder(d.bin.w)
	return d, nil
}

// Path is the directory's path.
func (d *Dir) Path() string { return d.path }

func (d *Dir) fail(err error) {
	if err != nil && d.err == nil {
		d.err = err
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
	d.fail(d.hw.OutputLogFormatVersion())
	d.fail(d.hw.OutputComment("[refreshstorm: values in nanoseconds, one tag per request kind]"))
	d.fail(d.hw.OutputStartTime(start.UnixMilli()))
	d.fail(d.hw.OutputLegend())
}

// writeEvent appends one events.csv row.
func (d *Dir) writeEvent(o *Observation, kind Kind, out string, corrected time.Duration) {
	d.mu.Lock()
	if !d.closed {
		d.row = appendEvent(d.row[:0], o, kind, out, corrected)
		_, err := d.events.w.Write(d.row)
		d.fail(err)
	}
	d.mu.Unlock()
}

// writeInterval appends one tagged interval histogram to latency.hlog.
func (d *Dir) writeInterval(h *hdr.Histogram, tag string, start, end time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	h.SetTag(tag)
	h.SetStartTimeMs(start.UnixMilli())
	h.SetEndTimeMs(end.UnixMilli())
	d.fail(d.hw.OutputIntervalHistogram(h))
}

// writeResult appends an already redacted vegeta result to results.bin.
func (d *Dir) writeResult(r *vegeta.Result) {
	d.mu.Lock()
	if !d.closed {
		d.fail(d.enc.Encode(r))
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
	for _, s := range []*stream{d.events, d.hlog, d.bin} {
		d.fail(s.close())
	}
	return d.err
}
