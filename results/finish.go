package results

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Finish flushes and closes the streamed files, then writes summary.json,
// timeline.csv and histograms.json. The files for people and CI
// (summary.txt, junit.xml, report.html) are rendered from these by package
// report, which the caller runs next.
// Call it once, after the last Record (also after an interrupt): every file
// is attempted even when one fails, and each is written atomically. A nil
// summary only closes the streams. If s has no verdict yet, the default
// thresholds are evaluated.
func (d *Dir) Finish(s *Summary) error {
	d.mu.Lock()
	if d.finished {
		d.mu.Unlock()
		return fmt.Errorf("results directory %q: already finished", d.path)
	}
	d.finished = true
	d.mu.Unlock()

	var errs []error
	if err := d.Close(); err != nil {
		errs = append(errs, fmt.Errorf("results directory %q: streamed files: %w", d.path, err))
	}
	if s != nil {
		if s.Verdict == "" {
			Evaluate(s, DefaultThresholds())
		}
		errs = append(errs, writeSummaryFiles(d.path, s)...)
	}
	return errors.Join(errs...)
}

// writeSummaryFiles writes every file derived from the summary; the most
// important ones first.
func writeSummaryFiles(dir string, s *Summary) []error {
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{FileSummaryJSON, func(w io.Writer) error { return writeSummaryJSON(w, s) }},
		{FileTimeline, func(w io.Writer) error { return writeTimeline(w, s.Timeline) }},
		{FileHistograms, func(w io.Writer) error { return writeHistogramsJSON(w, s.Histograms) }},
	}
	var errs []error
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.write); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func writeSummaryJSON(w io.Writer, s *Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

func writeHistogramsJSON(w io.Writer, h *Histograms) error {
	if h == nil {
		h = &Histograms{}
	}
	b, err := h.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeFileAtomic writes path through a temporary file renamed into place,
// so a reader never sees half a file. A panic in write becomes an error.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, streamBuffer)
	if err = safeWrite(bw, write); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func safeWrite(w io.Writer, write func(io.Writer) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return write(w)
}
