package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// pflag reads the first back-quoted word of a usage text as the value's type
// name in --help; a sentence in back quotes reads as a nonsense type.
func TestFlagTypeNamesAreSingleWords(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			if strings.ContainsAny(name, " -") {
				t.Errorf("%s --%s: --help shows the type %q", c.CommandPath(), f.Name, name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
}

func TestVersionSaysCommitGoAndPlatform(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out bytes.Buffer
		root := newRootCmd()
		root.SetOut(&out)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		for _, want := range []string{"refreshstorm ", "commit ", "go      go1.", "os/arch "} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v printed %q, missing %q", args, out.String(), want)
			}
		}
	}
}

// A built binary carries the VCS revision, so `version` names the commit.
func TestBuiltVersionNamesTheCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "refreshstorm")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	meta, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var rev string
	for _, line := range strings.Split(string(meta), "\n") {
		if f := strings.Fields(line); len(f) == 2 && strings.HasPrefix(f[1], "vcs.revision=") {
			rev = strings.TrimPrefix(f[1], "vcs.revision=")
		}
	}
	if rev == "" {
		t.Skip("the toolchain stamped no VCS revision here (not a plain git checkout)")
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), rev) {
		t.Errorf("version output %q lacks commit %s", out, rev)
	}
}

// A usage error, cobra's own or ours, points to the help of the command
// it concerns; other errors do not.
func TestUsageErrorsPointToHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--bogus"}, "(see: refreshstorm run --help)"},
		{[]string{"run", "--rate", "fast"}, "(see: refreshstorm run --help)"},
		{[]string{"run", "--sessions", "0"}, "(see: refreshstorm run --help)"},
		{[]string{"report"}, "(see: refreshstorm report --help)"},
		{[]string{"compare", "a"}, "(see: refreshstorm compare --help)"},
		{[]string{"nonsense"}, "(see: refreshstorm --help)"},
	} {
		root := newRootCmd()
		root.SetOut(&bytes.Buffer{})
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(tc.args)
		cmd, err := root.ExecuteC()
		if err == nil {
			t.Errorf("%v: no error", tc.args)
			continue
		}
		if line := errorLine(cmd, err, exitCodeOf(err)); !strings.HasSuffix(line, tc.want) {
			t.Errorf("%v: %q does not end with %q", tc.args, line, tc.want)
		}
	}
	if line := errorLine(newRootCmd(), withCode(exitCannotRun, errors.New("target unreachable")), exitCannotRun); strings.Contains(line, "--help") {
		t.Errorf("a runtime error points to --help: %q", line)
	}
}
