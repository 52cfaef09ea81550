package report

import (
	"fmt"
	"strings"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// FormatMarkdown renders a run for a pull request or a chat message: the
// verdict in the first line, then latency, outcomes and failed thresholds.
func FormatMarkdown(s *results.Summary) string {
	var b strings.Builder
	d := Derive(s)
	switch s.Verdict {
	case results.VerdictPass:
		fmt.Fprintf(&b, "**✅ refreshstorm: PASS** (%d thresholds)\n\n", len(s.Thresholds))
	case results.VerdictFail:
		fmt.Fprintf(&b, "**❌ refreshstorm: FAIL**: %s\n\n", strings.Join(d.FailedThresholds, ", "))
	default:
		b.WriteString("**refreshstorm: not evaluated**\n\n")
	}
	fmt.Fprintf(&b, "%d requests in %.1fs (%.1f refreshes/s", s.Requests.Total, s.ElapsedS, d.Throughput)
	if d.RequestedRate != nil {
		fmt.Fprintf(&b, " of %.0f requested", *d.RequestedRate)
	}
	fmt.Fprintf(&b, "), scenario `%s`; race logouts %d (%.2f per 1,000 refreshes).\n\n", s.ScenarioID, s.RaceLogouts.Count, s.RaceLogouts.Per1000)

	b.WriteString("| latency (ms) | p50 | p90 | p99 | p99.9 | max |\n|---|---:|---:|---:|---:|---:|\n")
	for _, row := range []struct {
		name string
		l    results.LatencyMs
	}{{"raw", s.Latency}, {"corrected", s.LatencyCorrected}} {
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f |\n", row.name, row.l.P50, row.l.P90, row.l.P99, row.l.P999, row.l.Max)
	}
	b.WriteString("\n| outcome | count | rate |\n|---|---:|---:|\n")
	for _, o := range oracle.AllOutcomes() {
		f, ok := d.OutcomeRates[o.String()]
		if !ok {
			continue
		}
		name := "`" + o.String() + "`"
		if o.IsFailure() {
			name = "🔴 **" + name + "**"
		}
		fmt.Fprintf(&b, "| %s | %d | %.3f%% |\n", name, f.Count, f.Value*100)
	}
	return b.String()
}
