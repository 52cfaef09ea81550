package report

import (
	"fmt"
	"github.com/refreshstorm/refreshstorm/results"
	"strings"
	"text/tabwriter"
)

// writeStages adds the per-stage table (requested vs achieved) to the
// text summary, plus pauses and an early abort.
func writeStages(b *strings.Builder, s *results.Summary) {
	if s.Aborted != nil {
		fmt.Fprintf(b, "ABORTED at %.1fs: %s\n", s.Aborted.AtS, s.Aborted.Reason)
	}
	if len(s.Stages) == 0 {
		return
	}
	fmt.Fprintf(b, "\nstages    worst shortfall %.1f%% (warmup excluded)\n", 100*s.Shortfall)
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tshape\tsecs\trequested/s\tachieved/s\tshortfall\tp50 ms\tp99 ms\tp99 corr ms\tfailures\trace logouts\t")
	for _, st := range s.Stages {
		name := st.Name
		if st.Warmup {
			name += " (warmup)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f%%\t%.2f\t%.2f\t%.2f\t%d\t%d\t\n",
			name, st.Shape, st.DurationS, st.RequestedRate, st.AchievedRate, 100*st.Shortfall,
			st.Latency.P50, st.Latency.P99, st.LatencyCorrected.P99, st.Failures, st.RaceLogouts.Count)
	}
	tw.Flush()
	for _, p := range s.Pauses {
		fmt.Fprintf(b, "paused at %.1fs for %.1fs\n", p.At.Seconds(), p.Length.Seconds())
	}
}
