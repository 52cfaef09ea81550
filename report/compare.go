package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/refreshstorm/refreshstorm/results"
)

// FileCompare is the comparison `run --baseline` writes into the results
// directory.
const FileCompare = "compare.json"

// CompareFormats are the output formats of `refreshstorm compare`.
var CompareFormats = []string{"text", "markdown", "json"}

// WriteComparison renders c in format (text, markdown or json).
func WriteComparison(w io.Writer, c *results.Comparison, format string) error {
	switch format {
	case "text":
		_, err := io.WriteString(w, CompareText(c))
		return err
	case "markdown":
		_, err := io.WriteString(w, CompareMarkdown(c))
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	return fmt.Errorf("format %q: want text, markdown or json", format)
}

// Headline is the one-line verdict of a comparison; the first line of
// every format.
func Headline(c *results.Comparison) string {
	var h string
	switch c.Verdict {
	case results.CompareRegression:
		h = "REGRESSION: " + strings.Join(c.Regressions, ", ") + " got worse"
	case results.CompareImprovement:
		h = "no regression (improved: " + strings.Join(changed(c, results.ChangeBetter), ", ") + ")"
	case results.CompareNoChange:
		h = "no significant change"
	default:
		h = "NOT COMPARABLE: " + strings.Join(c.Problems, "; ")
	}
	if c.Forced && !c.Comparable {
		h += " (forced: " + strings.Join(c.Problems, "; ") + ")"
	}
	return h
}

func changed(c *results.Comparison, change string) []string {
	var out []string
	for _, r := range c.Rows {
		if r.Change == change {
			out = append(out, r.Metric)
		}
	}
	return out
}

// CompareText renders c for a terminal.
func CompareText(c *results.Comparison) string {
	var b strings.Builder
	fmt.Fprintf(&b, "COMPARE: %s\n", Headline(c))
	fmt.Fprintf(&b, "base    %s (%s, scenario %s, verdict %s)\n", c.Base.Dir, c.Base.StartedAt, c.Base.ScenarioID, c.Base.Verdict)
	fmt.Fprintf(&b, "current %s (%s, scenario %s, verdict %s)\n", c.Cur.Dir, c.Cur.StartedAt, c.Cur.ScenarioID, c.Cur.Verdict)
	if len(c.Rows) == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "%.0f %% intervals; a regression is significant and beyond tolerance\n\n", c.Confidence*100)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tbase\tcurrent\tchange\ttolerance\tjudgement")
	for _, r := range c.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s\t%s\n", r.Metric, withCI(r, r.Base, r.BaseCI), withCI(r, r.Cur, r.CurCI),
			arrow(r), delta(r), dash(r.Tolerance), judgement(r))
	}
	tw.Flush()
	return b.String()
}

// CompareMarkdown renders c for a pull-request comment or a chat message:
// the verdict in the first line, then a table.
func CompareMarkdown(c *results.Comparison) string {
	var b strings.Builder
	mark := map[string]string{results.CompareRegression: "❌", results.CompareImprovement: "✅", results.CompareNoChange: "✅"}[c.Verdict]
	if mark == "" {
		mark = "⚠️"
	}
	fmt.Fprintf(&b, "**%s refreshstorm compare: %s**\n\n", mark, Headline(c))
	fmt.Fprintf(&b, "Base `%s` (%s) → current `%s` (%s), scenario `%s`.\n", c.Base.Dir, c.Base.StartedAt, c.Cur.Dir, c.Cur.StartedAt, c.Cur.ScenarioID)
	if len(c.Rows) == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "Brackets are %.0f %% confidence intervals; a change is a regression when it is significant and beyond tolerance.\n\n", c.Confidence*100)
	b.WriteString("| metric | base | current | change | tolerance | |\n|---|---:|---:|---:|---:|---|\n")
	for _, r := range c.Rows {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s %s | %s | %s |\n", r.Metric, withCI(r, r.Base, r.BaseCI), withCI(r, r.Cur, r.CurCI),
			arrow(r), delta(r), dash(r.Tolerance), mdJudgement(r))
	}
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func arrow(r results.CompareRow) string {
	switch {
	case r.Delta > 0:
		return "↑"
	case r.Delta < 0:
		return "↓"
	}
	return "→"
}

func judgement(r results.CompareRow) string {
	switch r.Change {
	case results.ChangeWorse:
		return "REGRESSION"
	case results.ChangeBetter:
		return "better"
	case results.ChangeInfo:
		return "changed"
	}
	if r.Significant {
		return "within tolerance"
	}
	return "-"
}

func mdJudgement(r results.CompareRow) string {
	switch r.Change {
	case results.ChangeWorse:
		return "🔴 **regression**"
	case results.ChangeBetter:
		return "🟢 better"
	}
	return judgement(r)
}

// value formats v in r's unit.
func value(r results.CompareRow, v float64) string {
	switch r.Unit {
	case "ms":
		return fmt.Sprintf("%.3fms", v)
	case "fraction":
		return fmt.Sprintf("%.3f%%", v*100)
	case "per 1,000":
		return fmt.Sprintf("%.2f‰", v)
	case "/s":
		return fmt.Sprintf("%.1f/s", v)
	}
	return fmt.Sprintf("%g", v)
}

func withCI(r results.CompareRow, v float64, ci *results.Interval) string {
	if ci == nil {
		return value(r, v)
	}
	if ci.Unbounded {
		return fmt.Sprintf("%s [%s, ∞)", value(r, v), trimUnit(r, ci.Lo))
	}
	return fmt.Sprintf("%s [%s, %s]", value(r, v), trimUnit(r, ci.Lo), trimUnit(r, ci.Hi))
}

// trimUnit formats an interval bound without repeating the unit suffix
// for milliseconds.
func trimUnit(r results.CompareRow, v float64) string {
	return strings.TrimSuffix(value(r, v), "ms")
}

func delta(r results.CompareRow) string {
	d := value(r, r.Delta)
	if r.Delta > 0 {
		d = "+" + d
	}
	if r.DeltaRel != nil && !math.IsInf(*r.DeltaRel, 0) {
		d += fmt.Sprintf(" (%+.0f%%)", *r.DeltaRel*100)
	}
	return d
}

// ReadComparison reads compare.json of a results directory, if the run had
// a baseline; nil otherwise.
func ReadComparison(dir string) (*results.Comparison, error) {
	p := filepath.Join(dir, FileCompare)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := &results.Comparison{}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if c.Schema != results.SchemaCompare {
		return nil, fmt.Errorf("%s: schema %q is not supported (want %q)", p, c.Schema, results.SchemaCompare)
	}
	return c, nil
}
