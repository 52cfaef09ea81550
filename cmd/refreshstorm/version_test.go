package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

func TestVersionFlagAndCommandAgree(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		root := newRootCmd()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		got := out.String()
		for _, want := range []string{"refreshstorm ", "commit:", "built:", "go:      " + runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH} {
			if !strings.Contains(got, want) {
				t.Errorf("%v output lacks %q:\n%s", args, want, got)
			}
		}
	}
}

func TestProbeHelpHasNoCommandAsFlagType(t *testing.T) {
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"probe", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "--server-policy") && strings.Contains(line, "--server-policy refreshstorm") {
			t.Fatalf("back-quoted usage became a type name: %q", line)
		}
	}
}
