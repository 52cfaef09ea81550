package main

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// complete asks cobra's hidden __complete command, as the shell scripts
// do, and returns the candidates and the directive.
func complete(t *testing.T, args ...string) ([]string, cobra.ShellCompDirective) {
	t.Helper()
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetArgs(append([]string{cobra.ShellCompRequestCmd}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	d, err := strconv.Atoi(strings.TrimPrefix(last, ":"))
	if err != nil {
		t.Fatalf("%v: no directive in %q", args, out.String())
	}
	var cands []string
	for _, l := range lines[:len(lines)-1] {
		cand, _, _ := strings.Cut(l, "\t") // drop the description
		cands = append(cands, cand)
	}
	return cands, cobra.ShellCompDirective(d)
}

func TestCompletionOfFlagValues(t *testing.T) {
	if kinds := chaosWords(); !slices.Contains(kinds, "lost-response=") || !slices.Contains(kinds, "stale-cookie=") {
		t.Fatalf("chaos kinds %q", kinds)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"report", "x", "--format", ""}, []string{"text", "markdown", "json", "html", "junit"}},
		{[]string{"compare", "a", "b", "--format", ""}, []string{"text", "markdown", "json"}},
		{[]string{"probe", "--reuse", ""}, []string{"revoke-family", "reject"}},
		{[]string{"run", "--events", ""}, []string{"all", "sampled", "1/"}},
		{[]string{"run", "--chaos", ""}, chaosWords()}, // every kind the grammar has
		{[]string{"run", "--chaos", "lo"}, []string{"lost-response="}},
		{[]string{"run", "--chaos", "concurrent=0.1:3,re"}, []string{"concurrent=0.1:3,replay="}},
		{[]string{"capacity", "--chaos", "replay=0.1,st"}, []string{"replay=0.1,stale-cookie="}},
		{[]string{"run", "--policy", "grace=10s,re"}, []string{"grace=10s,reuse=revoke-family", "grace=10s,reuse=reject"}},
		{[]string{"serve", "--server-policy", "strict,defect=z"}, []string{"strict,defect=zombie"}},
		{[]string{"run", "--policy", "grace=10s,ro"}, []string{"grace=10s,rotate=always", "grace=10s,rotate=after-interval", "grace=10s,rotate=never"}},
		{[]string{"run", "--policy", "strict,de"}, nil}, // defects describe a server, not a declaration
		{[]string{"run", "--policy", "s"}, []string{"strict"}},
		{[]string{"serve", "--server-policy", "server-"}, []string{"server-a", "server-b", "server-c"}},
		{[]string{"run", "--profile", ""}, []string{"cookie", "oauth2", "json"}},
		{[]string{"probe", "--client-auth", ""}, []string{"basic", "post", "none"}},
		{[]string{"probe", "--server-policy", "st"}, []string{"strict"}},
	} {
		got, _ := complete(t, tc.args...)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%v: %q lacks %q", tc.args, got, w)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%v: got %q, want exactly %q", tc.args, got, tc.want)
		}
	}
}

func TestCompletionOfPaths(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want cobra.ShellCompDirective
	}{
		{[]string{"run", "--out", ""}, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"run", "--baseline", ""}, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"report", ""}, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"merge", "a", ""}, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"compare", "a", ""}, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"run", "--config", ""}, cobra.ShellCompDirectiveFilterFileExt},
		{[]string{"run", "--credentials", ""}, cobra.ShellCompDirectiveFilterFileExt},
	} {
		if _, d := complete(t, tc.args...); d&tc.want == 0 {
			t.Errorf("%v: directive %d, want %d", tc.args, d, tc.want)
		}
	}
}

// Every shell's script is generated.
func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		var out bytes.Buffer
		root := newRootCmd()
		root.SetOut(&out)
		root.SetArgs([]string{"completion", sh})
		if err := root.Execute(); err != nil || !strings.Contains(out.String(), "refreshstorm") {
			t.Errorf("completion %s: %v, %d bytes", sh, err, out.Len())
		}
	}
}
