package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// TimelinePoint is one second of the run, persisted in timeline.csv so that
// the report can be regenerated from a results directory.
type TimelinePoint struct {
	Second    int     // seconds since the run started
	Requests  uint64  // paced refreshes (kind refresh) completed in that second
	Rate      float64 // achieved refreshes/s in that second
	Total     uint64  // classified requests of every kind
	Failures  uint64  // fail_* outcomes of every kind
	Undecided uint64  // transport_error + timeout
	P50, P99  time.Duration
	Requested float64 // the pacer's requested refreshes/s; 0 when unpaced
	// RaceLogouts are the benign races that logged a user out in that
	// second; RaceLogoutsPer1000 relates them to its refreshes.
	RaceLogouts        uint64
	RaceLogoutsPer1000 float64
}

var timelineHeader = []string{"second", "requests", "rate", "total", "failures", "undecided", "p50_ms", "p99_ms", "requested", "race_logouts", "race_logouts_per_1000"}

// timelineOptional is how many trailing columns older files may lack:
// requested, then the race logouts.
const timelineOptional = 3

func (p TimelinePoint) secondPoint() SecondPoint {
	return SecondPoint{Second: p.Second, Requests: p.Requests, Rate: p.Rate, P50: p.P50, P99: p.P99}
}

func writeTimeline(w io.Writer, points []TimelinePoint) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(timelineHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, p := range points {
		rec := []string{
			strconv.Itoa(p.Second), strconv.FormatUint(p.Requests, 10), f(p.Rate),
			strconv.FormatUint(p.Total, 10), strconv.FormatUint(p.Failures, 10), strconv.FormatUint(p.Undecided, 10),
			f(ms(p.P50)), f(ms(p.P99)), f(p.Requested),
			strconv.FormatUint(p.RaceLogouts, 10), f(p.RaceLogoutsPer1000),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func readTimeline(r io.Reader) ([]TimelinePoint, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // files of older versions lack the optional columns
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if len(head) > len(timelineHeader) || len(head) < len(timelineHeader)-timelineOptional {
		return nil, fmt.Errorf("header has %d columns, want %d", len(head), len(timelineHeader))
	}
	for i, h := range timelineHeader[:len(head)] {
		if head[i] != h {
			return nil, fmt.Errorf("header column %d is %.40q, want %q", i+1, head[i], h)
		}
	}
	var out []TimelinePoint
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) != len(head) {
			return nil, fmt.Errorf("line %d: %d columns, want %d", line, len(rec), len(head))
		}
		p, err := parseTimelineRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, p)
	}
}

func parseTimelineRecord(rec []string) (TimelinePoint, error) {
	var p TimelinePoint
	var err error
	fail := func(col int, e error) (TimelinePoint, error) {
		// strconv quotes the whole cell, which a damaged file can make
		// a megabyte long: show its start only.
		var ne *strconv.NumError
		if errors.As(e, &ne) {
			e = fmt.Errorf("%.40q: %w", ne.Num, ne.Err)
		}
		return p, fmt.Errorf("column %s: %w", timelineHeader[col], e)
	}
	if p.Second, err = strconv.Atoi(rec[0]); err != nil {
		return fail(0, err)
	}
	uints := []*uint64{1: &p.Requests, 3: &p.Total, 4: &p.Failures, 5: &p.Undecided}
	for i, dst := range uints {
		if dst == nil {
			continue
		}
		if *dst, err = strconv.ParseUint(rec[i], 10, 64); err != nil {
			return fail(i, err)
		}
	}
	if p.Rate, err = strconv.ParseFloat(rec[2], 64); err != nil {
		return fail(2, err)
	}
	for i, dst := range map[int]*time.Duration{6: &p.P50, 7: &p.P99} {
		v, err := strconv.ParseFloat(rec[i], 64)
		if err != nil {
			return fail(i, err)
		}
		*dst = time.Duration(math.Round(v * float64(time.Millisecond)))
	}
	if len(rec) > 8 {
		if p.Requested, err = strconv.ParseFloat(rec[8], 64); err != nil {
			return fail(8, err)
		}
	}
	if len(rec) > 10 {
		if p.RaceLogouts, err = strconv.ParseUint(rec[9], 10, 64); err != nil {
			return fail(9, err)
		}
		if p.RaceLogoutsPer1000, err = strconv.ParseFloat(rec[10], 64); err != nil {
			return fail(10, err)
		}
	}
	return p, nil
}

// raceLogoutAt counts a race logout in the second of at.
func (r *Recorder) raceLogoutAt(at time.Time) {
	sec := r.secondOf(at)
	for len(r.raceBySec) <= sec {
		r.raceBySec = append(r.raceBySec, 0)
	}
	r.raceBySec[sec]++
}

// fillRaceLogouts puts the per-second race logouts into points. A logout
// is counted when the oracle decides it, which can be after the run's
// last second; it then counts in that last second.
func fillRaceLogouts(points []TimelinePoint, bySec []uint64) {
	if len(points) == 0 {
		return
	}
	for sec, n := range bySec {
		i := min(sec, len(points)-1)
		points[i].RaceLogouts += n
	}
	for i := range points {
		points[i].RaceLogoutsPer1000 = 0
		if p := &points[i]; p.Requests > 0 {
			p.RaceLogoutsPer1000 = float64(p.RaceLogouts) * 1000 / float64(p.Requests)
		}
	}
}
