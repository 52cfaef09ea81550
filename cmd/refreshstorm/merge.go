package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/report"
	"github.com/refreshstorm/refreshstorm/results"
)

// newMergeCmd is `refreshstorm merge DIR... --out DIR`: it combines the
// result directories of the shards of one scenario and prints
// the merged summary. Exit 1 when the merged verdict fails, 2 when an
// input is damaged, the inputs do not belong together or --out is
// unusable; nothing is written to --out then.
func newMergeCmd() *cobra.Command {
	var out string
	var allowPartial bool
	cmd := &cobra.Command{
		Use:     "merge DIR... --out DIR",
		Short:   "Merge the result directories of the shards of one scenario",
		Example: "  refreshstorm merge shard-0 shard-1 shard-2 --out merged",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError("--out is required: the directory to write the merged results to")
			}
			render := func(dir string, s *results.Summary) error { return report.WriteFiles(dir, s, report.Options{}) }
			s, err := results.Merge(args, out, results.MergeOptions{AllowPartial: allowPartial, Render: render})
			var input *results.MergeInputError
			switch {
			case errors.As(err, &input), errors.Is(err, results.ErrDirNotEmpty):
				return withCode(exitUsage, err)
			case err != nil:
				return withCode(exitCannotRun, err)
			}
			stdout := cmd.OutOrStdout()
			fmt.Fprint(stdout, report.FormatText(s))
			fmt.Fprintf(stdout, "results: %s\n", out)
			if s.Verdict != results.VerdictPass {
				return withCode(exitFailed, errVerdictFailed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory for the merged results (must not exist or be empty)")
	cmd.Flags().BoolVar(&allowPartial, "allow-partial", false, "merge an incomplete shard set (recorded as partial in summary.json)")
	return cmd
}
