//go:build linux

package dashboard

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestUsableHelper is not a test on its own: run by TestUsableOnATerminal
// in a child process, it prints what Usable says of its stdin and stdout.
func TestUsableHelper(t *testing.T) {
	if os.Getenv("DASHBOARD_USABLE_HELPER") != "1" {
		t.Skip("helper for TestUsableOnATerminal")
	}
	ok, why := Usable(os.Stdin, os.Stdout)
	fmt.Printf("usable=%v why=%q\n", ok, why)
}

// TestUsableOnATerminal runs the helper on a real pseudo-terminal (from
// script(1)): in the terminal's foreground process group the view is
// usable; under timeout(1), which gives its child a process group of its
// own, it is not, and the reason says so.
func TestUsableOnATerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) not installed")
	}
	if _, err := exec.LookPath("timeout"); err != nil {
		t.Skip("timeout(1) not installed")
	}
	self := os.Args[0] + " -test.run=^TestUsableHelper$"
	for _, tc := range []struct {
		cmd, want string
	}{
		{self, `usable=true why=""`},
		// "; true" keeps the shell from exec'ing timeout, so that the
		// shell stays the session leader, as in a terminal's command line.
		{"timeout 20 " + self + "; true", "usable=false why=\"not in the terminal's foreground process group"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, script, "-qec", tc.cmd, "/dev/null")
		cmd.Env = append(os.Environ(), "DASHBOARD_USABLE_HELPER=1")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.cmd, err, out)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("%s: want %s, got:\n%s", tc.cmd, tc.want, out)
		}
	}
	// Not a terminal at all: a pipe.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if ok, why := Usable(r, w); ok || why != "output is not a terminal" {
		t.Errorf("pipes: usable=%v why=%q", ok, why)
	}
}
