package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/report"
	"github.com/refreshstorm/refreshstorm/results"
)

// newReportCmd is `refreshstorm report DIR [--format ...]`: it prints the
// summary of a results directory (text, Markdown or versioned JSON), or
// regenerates its report.html or junit.xml and prints the file's path. The
// verdict does not change the exit code: the run (or merge) that made the
// directory already reported it.
func newReportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "report DIR",
		Short: "Print a results directory's summary, or regenerate its report.html or junit.xml",
		Example: "  refreshstorm report results/20260301T120000Z\n" +
			"  refreshstorm report results/20260301T120000Z --format markdown\n" +
			"  refreshstorm report results/20260301T120000Z --format html",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := map[string]string{"html": results.FileReport, "junit": results.FileJUnit}
			switch format {
			case "text", "markdown", "json", "html", "junit":
			default:
				return usageError("--format %q: want text, markdown, json, html or junit", format)
			}
			l, err := results.LoadDir(args[0])
			if err != nil {
				return withCode(exitUsage, err)
			}
			out := cmd.OutOrStdout()
			switch format {
			case "text":
				_, err = io.WriteString(out, report.FormatText(l.Summary))
			case "markdown":
				_, err = io.WriteString(out, report.FormatMarkdown(l.Summary))
			case "json":
				err = report.WriteJSON(out, l.Summary)
			default:
				var cmp *results.Comparison
				if cmp, err = report.ReadComparison(l.Path); err != nil {
					return withCode(exitUsage, err)
				}
				var path string
				if path, err = report.Rewrite(l.Path, file[format], l.Summary, report.Options{Comparison: cmp}); err != nil {
					return withCode(exitCannotRun, err)
				}
				_, err = fmt.Fprintln(out, path)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text, markdown or json (to stdout); html (report.html) or junit (junit.xml), rewritten in DIR")
	return cmd
}
