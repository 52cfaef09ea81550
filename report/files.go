package report

import (
	"errors"
	"io"
	"path/filepath"

	"github.com/refreshstorm/refreshstorm/results"
)

// Options add to what the files show.
type Options struct {
	// Comparison against a baseline (run --baseline); shown on top of
	// report.html and as a suite of junit.xml.
	Comparison *results.Comparison
}

// WriteFiles writes summary.txt, junit.xml and report.html into dir from s,
// each atomically; every file is attempted even when one fails.
func WriteFiles(dir string, s *results.Summary, o Options) error {
	var errs []error
	for _, name := range []string{results.FileSummaryText, results.FileJUnit, results.FileReport} {
		if _, err := Rewrite(dir, name, s, o); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Rewrite (re)writes one rendered file of dir and returns its path.
func Rewrite(dir, name string, s *results.Summary, o Options) (string, error) {
	var write func(io.Writer) error
	switch name {
	case results.FileSummaryText:
		write = func(w io.Writer) error { _, err := io.WriteString(w, FormatText(s)); return err }
	case results.FileJUnit:
		write = func(w io.Writer) error { return WriteJUnit(w, s, o.Comparison) }
	case results.FileReport:
		write = func(w io.Writer) error { return WriteHTML(w, dir, s, o.Comparison) }
	default:
		return "", errors.New("report: no renderer for " + name)
	}
	p := filepath.Join(dir, name)
	return p, results.WriteFileAtomic(p, write)
}
