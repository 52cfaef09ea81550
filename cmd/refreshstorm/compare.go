package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/report"
	"github.com/refreshstorm/refreshstorm/results"
)

// newCompareCmd is `refreshstorm compare BASE CUR`: did CUR get worse than
// BASE? Exit 1 on a regression, 0 otherwise, 2 when the runs are not
// comparable (unless --force) or the input is bad.
func newCompareCmd() *cobra.Command {
	var (
		format     string
		force      bool
		tolerances []string
	)
	cmd := &cobra.Command{
		Use:   "compare BASE CUR",
		Short: "Compare two results directories: regression only when significant and beyond tolerance",
		Long: `Compares the latency percentiles (raw and corrected, with confidence
intervals from the HDR histograms), the rate of every outcome, race logouts
per 1,000 refreshes and the throughput of CUR against BASE. A change is a
regression when it is statistically significant (95 %) and beyond its
tolerance. Method and defaults: docs/compare.md.

Exit codes: 0 no regression, 1 regression, 2 not comparable (different
scenario or schema; --force compares anyway and says so) or bad input.`,
		Example: "  refreshstorm compare results/nightly-prev results/nightly --format markdown\n" +
			"  refreshstorm compare base cur --tolerance latency.p99=10% --tolerance race_logouts.per_1000=0.5",
		Args:         cobra.ExactArgs(2),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(report.CompareFormats, format) {
				return usageError("--format %q: want text, markdown or json", format)
			}
			tol, err := results.ParseTolerances(tolerances)
			if err != nil {
				return usageError("--tolerance: %v", err)
			}
			base, err := results.LoadDir(args[0])
			if err != nil {
				return withCode(exitUsage, err)
			}
			cur, err := results.LoadDir(args[1])
			if err != nil {
				return withCode(exitUsage, err)
			}
			c := results.Compare(args[0], base.Summary, args[1], cur.Summary, results.CompareOptions{Tolerances: tol, Force: force})
			if err := report.WriteComparison(cmd.OutOrStdout(), c, format); err != nil {
				return withCode(exitCannotRun, err)
			}
			return compareExit(c)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text, markdown (for a PR comment) or json")
	cmd.Flags().BoolVar(&force, "force", false, "compare runs of different scenarios or schemas anyway (recorded in the output)")
	cmd.Flags().StringArrayVar(&tolerances, "tolerance", nil, "METRIC=VALUE, e.g. latency.p99=10%, latency.p50=10%+1ms, race_logouts.per_1000=0.5 (repeatable)")
	return cmd
}

var errRegression = fmt.Errorf("compare: regression")

func compareExit(c *results.Comparison) error {
	switch c.Verdict {
	case results.CompareRegression:
		return withCode(exitFailed, errRegression)
	case results.CompareNotComparable:
		return withCode(exitUsage, fmt.Errorf("compare: runs are not comparable (%s); --force compares anyway", report.Headline(c)))
	}
	return nil
}

// baseline is `run --baseline DIR`, loaded and checked before the first
// request.
type baseline struct {
	dir   string
	s     *results.Summary
	tol   results.Tolerances
	force bool
}

// loadBaseline reads --baseline and refuses a baseline of another scenario
// unless forced; nil without --baseline.
func loadBaseline(sc scenario, scenarioID string) (*baseline, error) {
	if sc.Baseline == "" {
		return nil, nil
	}
	tol, err := results.ParseTolerances(sc.Tolerances)
	if err != nil {
		return nil, usageError("--tolerance: %v", err)
	}
	l, err := results.LoadDir(sc.Baseline)
	if err != nil {
		return nil, usageError("--baseline: %v", err)
	}
	if l.Summary.ScenarioID != scenarioID && !sc.BaselineForce {
		return nil, usageError("--baseline %s: scenario %s, this run is %s: not comparable (--baseline-force compares anyway)",
			sc.Baseline, l.Summary.ScenarioID, scenarioID)
	}
	return &baseline{dir: sc.Baseline, s: l.Summary, tol: tol, force: sc.BaselineForce}, nil
}

// fold compares the finished run with the baseline, records the result in
// the summary's verdict and writes compare.json next to summary.json.
func (b *baseline) fold(outDir string, s *results.Summary) *results.Comparison {
	c := results.Compare(b.dir, b.s, outDir, s, results.CompareOptions{Tolerances: b.tol, Force: b.force})
	results.FoldBaseline(s, c)
	return c
}

// writeComparison writes compare.json into the results directory.
func writeComparison(outDir string, c *results.Comparison) error {
	return results.WriteFileAtomic(filepath.Join(outDir, report.FileCompare), func(w io.Writer) error {
		return report.WriteComparison(w, c, "json")
	})
}

// finishResults writes the data files of the run, then what package report
// renders from them (and compare.json with a baseline).
func finishResults(dir *results.Dir, outDir string, s *results.Summary, c *results.Comparison) error {
	errs := []error{dir.Finish(s), report.WriteFiles(outDir, s, report.Options{Comparison: c})}
	if c != nil {
		errs = append(errs, writeComparison(outDir, c))
	}
	return errors.Join(errs...)
}
