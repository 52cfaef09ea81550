package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// errVerdictFailed is returned by run when thresholds or invariants failed;
// the summary already said why, so main prints nothing more.
var errVerdictFailed = errors.New("verdict: fail")

func isSilentVerdict(err error) bool { return errors.Is(err, errVerdictFailed) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "refreshstorm",
		Short:         "Load and chaos testing for refresh-token rotation endpoints",
		SilenceUsage:  true,
		SilenceErrors: true,
		// cobra's --version prints this template; the same text as `version`.
		Version: readBuildInfo().Version,
		// Environment twins are read once the command line is parsed, so
		// a flag given explicitly wins over its variable.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return applyEnv(cmd) },
	}
	root.SetVersionTemplate(readBuildInfo().String())
	root.AddCommand(newRunCmd(), newCapacityCmd(), newServeCmd(), newProbeCmd(), newReportCmd(), newMergeCmd(), newCompareCmd(), newVersionCmd())
	addCompletions(root)
	// Every command's help says where else its flags may come from.
	root.SetUsageTemplate(root.UsageTemplate() + `
Every flag can also be set as an environment variable: --max-workers as
REFRESHSTORM_MAX_WORKERS (a repeatable flag: one value per line). A flag
given wins over its variable, and the variable over a --config file.
`)
	return root
}
