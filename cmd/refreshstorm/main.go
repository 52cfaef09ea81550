// Command refreshstorm load- and chaos-tests refresh-token rotation endpoints.
package main

import (
	"fmt"
	"github.com/refreshstorm/refreshstorm/internal/scrub"
	"os"
)

func main() {
	root := newRootCmd()
	err := root.Execute()
	code := exitCodeOf(err)
	if err != nil && !isSilentVerdict(err) {
		fmt.Fprintln(os.Stderr, "refreshstorm:", scrub.Message(err.Error()))
	}
	os.Exit(code)
}
