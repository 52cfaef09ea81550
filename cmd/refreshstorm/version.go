package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// the module version from the build info is used.
var version = "dev"

// versionText describes the binary from its embedded build info, so a bug
// report names the exact commit even for a plain `go build`.
func versionText() string {
	v, commit, date, modified := version, "unknown", "unknown", false
	goVersion := runtime.Version()
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				date = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		commit += " (modified)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "refreshstorm %s\n", v)
	fmt.Fprintf(&b, "  commit:  %s\n", commit)
	fmt.Fprintf(&b, "  built:   %s\n", date)
	fmt.Fprintf(&b, "  go:      %s\n", goVersion)
	fmt.Fprintf(&b, "  os/arch: %s/%s\n", runtime.GOOS, runtime.GOARCH)
	return b.String()
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date, Go version and OS/arch",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprint(cmd.OutOrStdout(), versionText())
		},
	}
}
