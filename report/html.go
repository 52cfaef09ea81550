package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"github.com/refreshstorm/refreshstorm/results"
	"html/template"
	"io"
	"sort"

	"github.com/refreshstorm/refreshstorm/oracle"
)

//go:embed report.html.tmpl
var reportTemplateText string

//go:embed uplot/uPlot.iife.min.js
var uplotJS string

//go:embed uplot/uPlot.min.css
var uplotCSS string

//go:embed report.js
var reportJS string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms":       func(v float64) string { return fmt.Sprintf("%.3f", v) },
	"value":    formatValue,
	"pct":      func(v float64) string { return fmt.Sprintf("%.2f%%", v*100) },
	"headline": Headline,
	"cmpBase":  func(r results.CompareRow) string { return withCI(r, r.Base, r.BaseCI) },
	"cmpCur":   func(r results.CompareRow) string { return withCI(r, r.Cur, r.CurCI) },
	"cmpDelta": func(r results.CompareRow) string { return arrow(r) + " " + delta(r) },
	"cmpJudge": judgement,
}).Parse(reportTemplateText))

type reportData struct {
	S          *results.Summary
	Config     []kv
	Kinds      []kv
	ByKind     []latencyRow
	Categories []categoryRows
	Families   []kv
	Chaos      []chaosRow
	Failures   uint64

	Compare   *results.Comparison
	Status    []kv
	FailRows  []failureRow
	FailTotal int
	UplotJS   template.JS
	UplotCSS  template.CSS
	ReportJS  template.JS
	Data      template.JS // the charts' series as JSON
	Knee      *knee
}

// chartData is what report.js draws.
type chartData struct {
	*series
	Requested   []float64 `json:"requested"`
	Achieved    []float64 `json:"achieved"`
	Failures    []float64 `json:"failures"`
	Markers     []marker  `json:"markers"`
	RaceLogouts float64   `json:"race_logouts_per_1000"`
	// RacePerSec are the race logouts per 1,000 refreshes of every second.
	RacePerSec []float64       `json:"race_per_1000_per_second"`
	RaceCounts []float64       `json:"race_logouts_per_second"`
	Knee       *knee           `json:"knee,omitempty"`
	FailureSet map[string]bool `json:"failure_outcomes"`
}

type marker struct {
	At    float64 `json:"at"`
	Label string  `json:"label"`
	Kind  string  `json:"kind"` // rate, pause, stage
}

type kv struct {
	Key   string
	Value any
}

type latencyRow struct {
	Name string
	L    results.LatencyMs
}

type categoryRows struct {
	Name  string
	Class string
	Total uint64
	Rows  []outcomeRow
}

type outcomeRow struct {
	Name    string
	Count   uint64
	Meaning string
	Bad     bool // a failure that occurred
}

type chaosRow struct {
	Kind     string
	Injected uint64
	Produced string
}

// WriteHTML writes the self-contained report.html: uPlot, its stylesheet
// and the data are inline, so nothing is loaded from anywhere. dir is the
// results directory, whose events.csv feeds the per-second charts and the
// failures table.
func WriteHTML(w io.Writer, dir string, s *results.Summary, cmp *results.Comparison) error {
	sr, err := readSeries(dir, s.StartedAt)
	if err != nil {
		return fmt.Errorf("report.html: %s: %w", results.FileEvents, err)
	}
	d := reportData{S: s, Failures: s.Failures(), Compare: cmp, Status: statusRows(sr.Status),
		FailRows: sr.Failures, FailTotal: sr.FailTotal,
		UplotJS: template.JS(uplotJS), UplotCSS: template.CSS(uplotCSS), ReportJS: template.JS(reportJS)}
	cd := chartData{series: sr, Markers: []marker{}, RaceLogouts: s.RaceLogouts.Per1000, FailureSet: map[string]bool{}}
	for _, o := range oracle.AllOutcomes() {
		if o.IsFailure() {
			cd.FailureSet[o.String()] = true
		}
	}
	n := len(sr.Secs)
	for _, p := range s.Timeline {
		for p.Second >= n {
			sr.Secs = append(sr.Secs, float64(n))
			n++
		}
	}
	cd.Requested, cd.Achieved, cd.Failures = make([]float64, n), make([]float64, n), make([]float64, n)
	cd.RacePerSec, cd.RaceCounts = make([]float64, n), make([]float64, n)
	for _, p := range s.Timeline {
		cd.Requested[p.Second], cd.Achieved[p.Second], cd.Failures[p.Second] = p.Requested, p.Rate, float64(p.Failures)
		cd.RacePerSec[p.Second], cd.RaceCounts[p.Second] = p.RaceLogoutsPer1000, float64(p.RaceLogouts)
	}
	if cd.Knee, err = readKnee(dir); err != nil {
		return fmt.Errorf("report.html: %s: %w", FileCapacity, err)
	}
	d.Knee = cd.Knee
	for _, c := range s.RateChanges {
		cd.Markers = append(cd.Markers, marker{c.At.Seconds(), fmt.Sprintf("rate %g/s", c.Rate), "rate"})
	}
	for _, p := range s.Pauses {
		cd.Markers = append(cd.Markers, marker{p.At.Seconds(), fmt.Sprintf("paused %.1fs", p.Length.Seconds()), "pause"})
	}
	for _, st := range s.Stages {
		cd.Markers = append(cd.Markers, marker{st.StartS, "stage " + st.Name, "stage"})
	}
	js, err := json.Marshal(cd) // escapes <, > and &: safe inside <script>
	if err != nil {
		return err
	}
	d.Data = template.JS(js)
	keys := make([]string, 0, len(s.Config))
	for k := range s.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d.Config = append(d.Config, kv{k, configValue(s.Config[k])})
	}
	for k, n := range s.Requests.ByKind {
		d.Kinds = append(d.Kinds, kv{results.Kind(k).String(), n})
		if l, ok := s.LatencyByKind[results.Kind(k).String()]; ok {
			d.ByKind = append(d.ByKind, latencyRow{results.Kind(k).String(), l})
		}
	}
	classes := [...]string{oracle.Accepted: "ok", oracle.Rejected: "rej", oracle.Failed: "bad", oracle.Undecided: "und"}
	for cat := oracle.Accepted; cat <= oracle.Undecided; cat++ {
		cr := categoryRows{Name: cat.String(), Class: classes[cat]}
		for _, o := range oracle.AllOutcomes() {
			if o.Category() != cat {
				continue
			}
			cr.Rows = append(cr.Rows, outcomeRow{o.String(), s.Outcomes[o], o.Meaning(), o.IsFailure() && s.Outcomes[o] > 0})
			cr.Total += s.Outcomes[o]
		}
		d.Categories = append(d.Categories, cr)
	}
	for st, n := range s.Families {
		d.Families = append(d.Families, kv{oracle.FamilyState(st).String(), n})
	}
	for _, k := range chaosKinds(s) {
		d.Chaos = append(d.Chaos, chaosRow{k, s.Chaos.Injected[k], producedLine(s.Chaos.Produced[k])})
	}
	return reportTemplate.Execute(w, d)
}
