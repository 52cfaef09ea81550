package report

import (
	"encoding/json"
	"fmt"
	"github.com/refreshstorm/refreshstorm/results"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// FormatText renders the summary for people: summary.txt and the end-of-run
// print. The verdict comes first.
func FormatText(s *results.Summary) string {
	var b strings.Builder
	writeVerdictLine(&b, s)
	fmt.Fprintf(&b, "started %s, ran %.1fs", s.StartedAt.UTC().Format("2006-01-02T15:04:05Z"), s.ElapsedS)
	if s.Interrupted {
		b.WriteString(" (interrupted)")
	}
	if s.ScenarioID != "" {
		fmt.Fprintf(&b, ", scenario %s", s.ScenarioID)
	}
	if len(s.MergedFrom) > 0 {
		fmt.Fprintf(&b, ", merged from %d runs", len(s.MergedFrom))
	}
	b.WriteString("\n")
	if cfg := configLine(s.Config); cfg != "" {
		fmt.Fprintf(&b, "config  %s\n", cfg)
	}

	r := s.Requests
	fmt.Fprintf(&b, "\nrequests  %d total, %.1f/s; load %d; dropped ticks %d\n", r.Total, r.Rate, r.Load, r.Dropped)
	var kinds []string
	for k, n := range r.ByKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", results.Kind(k), n))
	}
	fmt.Fprintf(&b, "          %s\n", strings.Join(kinds, ", "))
	writeStages(&b, s)

	b.WriteString("\n")
	writeLatencyTable(&b, s)
	b.WriteString("\n")
	writeOutcomes(&b, s)

	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "families\t%s\n", familiesLine(s))
	fmt.Fprintf(tw, "race logouts\t%d (%.2f per 1,000 refreshes)\n", s.RaceLogouts.Count, s.RaceLogouts.Per1000)
	fmt.Fprintf(tw, "re-signed in\t%d\n", s.ReSignedIn)
	if cs := s.ConcurrentSpread; cs != nil {
		fmt.Fprintf(tw, "burst spread\tp50 %.3fms, p99 %.3fms, max %.3fms (%d bursts)\n", cs.P50, cs.P99, cs.Max, cs.Count)
	}
	for _, line := range chaosLines(s) {
		fmt.Fprintf(tw, "%s\n", line)
	}
	tw.Flush()

	if bl := s.Baseline; bl != nil {
		fmt.Fprintf(&b, "\nbaseline  %s: %s", bl.Dir, strings.ReplaceAll(bl.Verdict, "_", " "))
		if len(bl.Regressions) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(bl.Regressions, ", "))
		}
		if bl.Forced {
			b.WriteString(" [forced]")
		}
		b.WriteString("\n")
	}
	if failed := s.FailedThresholds(); len(failed) > 0 {
		b.WriteString("\nfailed thresholds\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, t := range failed {
			fmt.Fprintf(tw, "  ✗ %s\tvalue %s\n", t.Expr, formatValue(t.Value, t.Unit))
		}
		tw.Flush()
	}
	return b.String()
}

func writeVerdictLine(b *strings.Builder, s *results.Summary) {
	failed := len(s.FailedThresholds())
	switch s.Verdict {
	case results.VerdictPass:
		fmt.Fprintf(b, "VERDICT: PASS (%d thresholds)\n", len(s.Thresholds))
	case results.VerdictFail:
		if s.ConfigProblem != "" {
			fmt.Fprintf(b, "VERDICT: FAIL (configuration problem: %s)\n", s.ConfigProblem)
			return
		}
		if bl := s.Baseline; bl != nil && failed == 0 {
			fmt.Fprintf(b, "VERDICT: FAIL (regression against baseline: %s)\n", strings.Join(bl.Regressions, ", "))
			return
		}
		fmt.Fprintf(b, "VERDICT: FAIL (%d of %d thresholds failed)\n", failed, len(s.Thresholds))
	default:
		b.WriteString("VERDICT: not evaluated\n")
	}
}

func writeLatencyTable(b *strings.Builder, s *results.Summary) {
	fmt.Fprintf(b, "%-28s %9s %9s %9s %9s %9s %9s\n", "latency, load requests (ms)", "p50", "p90", "p99", "p99.9", "max", "count")
	for _, row := range []struct {
		name string
		l    results.LatencyMs
	}{{"  raw", s.Latency}, {"  corrected", s.LatencyCorrected}} {
		l := row.l
		fmt.Fprintf(b, "%-28s %9.3f %9.3f %9.3f %9.3f %9.3f %9d\n", row.name, l.P50, l.P90, l.P99, l.P999, l.Max, l.Count)
	}
}

func writeOutcomes(b *strings.Builder, s *results.Summary) {
	b.WriteString("outcomes\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	seen := false
	for _, o := range oracle.AllOutcomes() {
		n := s.Outcomes[o]
		if n == 0 {
			continue
		}
		seen = true
		cat := o.Category().String()
		meaning := ""
		if o.IsFailure() {
			cat = "FAILED"
			meaning = o.Meaning()
		}
		if meaning != "" {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", cat, o, n, meaning)
		} else {
			fmt.Fprintf(tw, "  %s\t%s\t%d\n", cat, o, n)
		}
	}
	if !seen {
		fmt.Fprintf(tw, "  (no classified requests)\n")
	}
	tw.Flush()
}

func familiesLine(s *results.Summary) string {
	var parts []string
	for st, n := range s.Families {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", oracle.FamilyState(st), n))
		}
	}
	if len(parts) == 0 {
		return "none reported"
	}
	return strings.Join(parts, ", ")
}

// chaosLines lists each chaos kind with what it produced.
func chaosLines(s *results.Summary) []string {
	kinds := chaosKinds(s)
	if len(kinds) == 0 {
		return []string{"chaos\tnone"}
	}
	var lines []string
	for i, k := range kinds {
		label := ""
		if i == 0 {
			label = "chaos"
		}
		lines = append(lines, fmt.Sprintf("%s\t%s: injected %d → %s", label, k, s.Chaos.Injected[k], producedLine(s.Chaos.Produced[k])))
	}
	return lines
}

// chaosKinds are the chaos kinds injected or tagged on outcomes, sorted.
func chaosKinds(s *results.Summary) []string {
	set := map[string]bool{}
	for k := range s.Chaos.Injected {
		set[k] = true
	}
	for k := range s.Chaos.Produced {
		set[k] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// producedLine lists outcomes in declaration order.
func producedLine(m map[string]uint64) string {
	var parts []string
	for _, o := range oracle.AllOutcomes() {
		if n := m[o.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", o, n))
		}
	}
	if len(parts) == 0 {
		return "nothing classified"
	}
	return strings.Join(parts, ", ")
}

// configLine renders the config as sorted key=value pairs.
func configLine(cfg map[string]any) string {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+configValue(cfg[k]))
	}
	return strings.Join(parts, " ")
}

func configValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	// Not json.Marshal: it escapes <, > and & as \u003c for HTML, and
	// thresholds such as latency.p99<50ms are read by people.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func formatValue(v float64, unit string) string {
	switch unit {
	case "ms":
		return fmt.Sprintf("%.3fms", v)
	case "fraction":
		return fmt.Sprintf("%.6g (%.3f%%)", v, v*100)
	case "count", "":
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.3f %s", v, unit)
	}
}
