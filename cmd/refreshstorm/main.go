// Command refreshstorm load- and chaos-tests refresh-token rotation endpoints.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/internal/scrub"
)

func main() {
	cmd, err := newRootCmd().ExecuteC()
	code := exitCodeOf(err)
	if err != nil && !isSilentVerdict(err) {
		fmt.Fprintln(os.Stderr, errorLine(cmd, err, code))
	}
	os.Exit(code)
}

// errorLine is the one line main prints for a failed command. A usage
// error points to the help of the command it concerns.
func errorLine(cmd *cobra.Command, err error, code int) string {
	line := "refreshstorm: " + scrub.Message(err.Error())
	if code == exitUsage && cmd != nil {
		line += fmt.Sprintf(" (see: %s --help)", cmd.CommandPath())
	}
	return line
}
