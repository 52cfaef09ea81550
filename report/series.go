package report

import (
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// maxFailureRows bounds the failures table of report.html.
const maxFailureRows = 200

// series is what report.html's charts and tables need per second, read
// from events.csv: percentiles of load latency raw and corrected, outcomes
// per second, status codes and sample failures.
type series struct {
	Secs      []float64            `json:"secs"`
	Raw       map[string][]float64 `json:"raw"`       // p50, p90, p99, p999 -> per second (ms)
	Corrected map[string][]float64 `json:"corrected"` // same
	Outcomes  map[string][]float64 `json:"outcomes"`  // outcome -> count per second (non-zero outcomes)
	Status    map[string]uint64    `json:"-"`
	Failures  []failureRow         `json:"-"`
	FailTotal int                  `json:"-"`
}

type failureRow struct {
	At       string
	Incident string // family fingerprint
	Kind     string
	Chaos    string
	Status   string
	Outcome  string
	Detail   string
}

// weighed is one latency of a second and how many requests it stands for.
type weighed struct {
	v float64
	w float64
}

// readSeries reads events.csv (or events.csv.gz) of dir; an absent file
// gives empty series (a directory written by an older version, or one from
// merge that lacks it). A sampled row counts as its weight: per-second
// counts and percentiles are estimates of the whole from the sample, while
// every failure row is there once.
func readSeries(dir string, start time.Time) (*series, error) {
	sr := &series{Raw: map[string][]float64{}, Corrected: map[string][]float64{}, Outcomes: map[string][]float64{}, Status: map[string]uint64{}}
	if dir == "" {
		return sr, nil
	}
	f, _, err := results.OpenStreamed(dir, results.FileEvents)
	if errors.Is(err, fs.ErrNotExist) {
		return sr, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return sr, nil
	}
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, need := range []string{"time", "family", "kind", "chaos", "status", "outcome", "latency_ms", "corrected_ms", "detail"} {
		if _, ok := col[need]; !ok {
			return nil, errors.New(results.FileEvents + ": no column " + need)
		}
	}
	wcol, weighted := col["weight"]
	var raw, cor [][]weighed
	outcomes := map[string][]float64{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		at, err := time.Parse(time.RFC3339Nano, rec[col["time"]])
		if err != nil {
			continue
		}
		sec := int(at.Sub(start) / time.Second)
		if sec < 0 {
			sec = 0
		}
		w := 1.0
		if weighted {
			if v, err := strconv.ParseFloat(rec[wcol], 64); err == nil && v >= 1 {
				w = v
			}
		}
		for len(raw) <= sec {
			raw, cor = append(raw, nil), append(cor, nil)
		}
		out := rec[col["outcome"]]
		if outcomes[out] == nil {
			outcomes[out] = []float64{}
		}
		for len(outcomes[out]) <= sec {
			outcomes[out] = append(outcomes[out], 0)
		}
		outcomes[out][sec] += w
		sr.Status[rec[col["status"]]] += uint64(w)
		kind := rec[col["kind"]]
		if kind == "refresh" || kind == "duplicate" || kind == "replay" {
			if v, err := strconv.ParseFloat(rec[col["latency_ms"]], 64); err == nil {
				raw[sec] = append(raw[sec], weighed{v, w})
			}
			if v, err := strconv.ParseFloat(rec[col["corrected_ms"]], 64); err == nil {
				cor[sec] = append(cor[sec], weighed{v, w})
			}
		}
		if o, ok := oracle.ParseOutcome(out); ok && o.IsFailure() {
			sr.FailTotal++
			if len(sr.Failures) < maxFailureRows {
				sr.Failures = append(sr.Failures, failureRow{
					At: strconv.FormatFloat(at.Sub(start).Seconds(), 'f', 3, 64), Incident: rec[col["family"]],
					Kind: kind, Chaos: rec[col["chaos"]], Status: rec[col["status"]], Outcome: out, Detail: rec[col["detail"]],
				})
			}
		}
	}
	n := len(raw)
	for i := 0; i < n; i++ {
		sr.Secs = append(sr.Secs, float64(i))
	}
	for _, q := range []struct {
		name string
		q    float64
	}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}} {
		sr.Raw[q.name], sr.Corrected[q.name] = percentiles(raw, q.q), percentiles(cor, q.q)
	}
	for o, v := range outcomes {
		for len(v) < n {
			v = append(v, 0)
		}
		sr.Outcomes[o] = v
	}
	// Group the sample by incident: one family's failures together, the
	// incidents in order of their first failure.
	first := map[string]int{}
	for i, r := range sr.Failures {
		if _, ok := first[r.Incident]; !ok {
			first[r.Incident] = i
		}
	}
	sort.SliceStable(sr.Failures, func(i, j int) bool {
		return first[sr.Failures[i].Incident] < first[sr.Failures[j].Incident]
	})
	return sr, nil
}

// percentiles is the q-quantile of each second's values, each counted
// as many times as its weight (nearest rank); NaN-free: a second without
// samples is null in JSON (a gap in the chart).
func percentiles(per [][]weighed, q float64) []float64 {
	out := make([]float64, len(per))
	for i, v := range per {
		if len(v) == 0 {
			out[i] = -1
			continue
		}
		sort.Slice(v, func(a, b int) bool { return v[a].v < v[b].v })
		total := 0.0
		for _, x := range v {
			total += x.w
		}
		rank := math.Ceil(q*total - 1e-9)
		out[i] = v[len(v)-1].v
		seen := 0.0
		for _, x := range v {
			seen += x.w
			if seen >= rank {
				out[i] = x.v
				break
			}
		}
	}
	return out
}

// statusRows sorts the status counts by code.
func statusRows(m map[string]uint64) []kv {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]kv, 0, len(keys))
	for _, k := range keys {
		label := k
		if k == "0" {
			label = "0 (no response)"
		}
		out = append(out, kv{strings.TrimSpace(label), m[k]})
	}
	return out
}
