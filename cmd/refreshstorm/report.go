package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/results"
)

// newReportCmd is `refreshstorm report DIR [--format text|html|junit]`: it
// prints the summary of a results directory, or regenerates its report.html
// or junit.xml and prints the file's path. The verdict does not change the
// exit code: the run (or merge) that made the directory already reported it.
func newReportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "report DIR",
		Short: "Print a results directory's summary, or regenerate its report.html or junit.xml",
		Example: "  refreshstorm report results/20260301T120000Z\n" +
			"  refreshstorm report results/20260301T120000Z --format html",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text", "html", "junit":
			default:
				return usageError("--format %q: want text, html or junit", format)
			}
			l, err := results.LoadDir(args[0])
			if err != nil {
				return withCode(exitUsage, err)
			}
			out := cmd.OutOrStdout()
			switch format {
			case "text":
				_, err = fmt.Fprint(out, results.FormatText(l.Summary))
				return err
			case "html":
				return printWritten(cmd, l.WriteHTML)
			default:
				return printWritten(cmd, l.WriteJUnit)
			}
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text (to stdout), html (report.html) or junit (junit.xml)")
	return cmd
}

// printWritten runs write and prints the path of the file it wrote.
func printWritten(cmd *cobra.Command, write func() (string, error)) error {
	path, err := write()
	if err != nil {
		return withCode(exitCannotRun, err)
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), path)
	return err
}
