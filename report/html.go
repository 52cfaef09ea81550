package report

import (
	_ "embed"
	"fmt"
	"github.com/refreshstorm/refreshstorm/results"
	"html/template"
	"io"
	"sort"

	"github.com/refreshstorm/refreshstorm/oracle"
)

//go:embed report.html.tmpl
var reportTemplateText string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms":    func(v float64) string { return fmt.Sprintf("%.3f", v) },
	"value": formatValue,
	"pct":   func(v float64) string { return fmt.Sprintf("%.2f%%", v*100) },
}).Parse(reportTemplateText))

type reportData struct {
	S          *results.Summary
	Config     []kv
	Kinds      []kv
	ByKind     []latencyRow
	Categories []categoryRows
	Families   []kv
	Chaos      []chaosRow
	Charts     []template.HTML
	Failures   uint64
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

// WriteHTML writes the self-contained report.html: no script, stylesheet
// or image is loaded from anywhere; charts are inline SVG drawn by
// gonum/plot.
func WriteHTML(w io.Writer, dir string, s *results.Summary, cmp *results.Comparison) error {
	d := reportData{S: s, Failures: s.Failures()}
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
