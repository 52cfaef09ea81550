// Command refreshstorm load- and chaos-tests refresh-token rotation endpoints.
package main

import (
	"fmt"
	"os"
)

func main() {
	root := newRootCmd()
	err := root.Execute()
	code := exitCodeOf(err)
	if err != nil && !isSilentVerdict(err) {
		fmt.Fprintln(os.Stderr, "refreshstorm:", err)
	}
	os.Exit(code)
}
