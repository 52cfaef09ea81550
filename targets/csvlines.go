package targets

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// eachRecord calls fn for every record of a CSV input (# comments and
// ragged lines allowed), with its line number and whether it is the
// first record. Errors name the input and the line.
func eachRecord(r io.Reader, name string, fn func(line int, rec []string, first bool) error) error {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		_, _ = br.Discard(3) // a UTF-8 BOM (spreadsheet export) is not part of the header
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		// A BOM inside the file (two exports concatenated) is no more
		// part of a value than the one at its start.
		rec[0] = strings.TrimLeftFunc(rec[0], isLeadingJunk)
		line, _ := cr.FieldPos(0)
		if err := fn(line, rec, first); err != nil {
			return err
		}
	}
}

// isLeadingJunk is what may stand before a record's first value without
// being part of it: white space of any kind and a BOM.
func isLeadingJunk(r rune) bool { return r == '\ufeff' || unicode.IsSpace(r) }
