//go:build linux

package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestNoTerminalQuery runs the built binary on a pseudo-terminal that never
// answers (script(1) records it) and checks that a command other than the
// dashboard neither writes a terminal query nor waits for an answer. A
// library that asks the terminal for its background colour at start-up
// stalls 5 s there; the bound is half of that, so a loaded machine still
// passes and a stall still fails.
func TestNoTerminalQuery(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) not installed")
	}
	bin := builtBinary(t)
	const stall = 5 * time.Second
	for _, args := range []string{"version", "--help"} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*stall)
		cmd := exec.CommandContext(ctx, script, "-qec", bin+" "+args, "/dev/null")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v\n%s", args, err, out.String())
		}
		if took > stall/2 {
			t.Errorf("%s took %v on a silent terminal (a query stall is %v)", args, took, stall)
		}
		if i := strings.IndexByte(out.String(), 0x1b); i >= 0 {
			t.Errorf("%s wrote an escape sequence: %q", args, out.String()[i:min(len(out.String()), i+20)])
		}
		if !strings.Contains(out.String(), "refreshstorm") {
			t.Errorf("%s printed no output under script(1): %q", args, out.String())
		}
		t.Logf("%s: %v", args, took)
	}
}
