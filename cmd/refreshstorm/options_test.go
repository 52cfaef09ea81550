package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the README's option table from the rows")

const (
	tableBegin = "<!-- begin options: generated from cmd/refreshstorm/options.go; go test ./cmd/refreshstorm -run TestOptionTableDoc -update-docs -->"
	tableEnd   = "<!-- end options -->"
)

// optionTable renders the rows as the README's Markdown table.
func optionTable() string {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	sc := defaultScenario()
	set := bindOptions(fs, &sc)
	var b strings.Builder
	b.WriteString("| flag | YAML | environment | default | meaning | capacity |\n|---|---|---|---|---|---|\n")
	for _, o := range set.rows {
		arg := o.flag.Value.Type()
		switch arg {
		case "bool":
			arg = ""
		case "float64":
			arg = "N"
		case "int", "int64":
			arg = "N"
		case "duration":
			arg = "D"
		}
		flagCol := "`--" + o.option.flag
		if arg != "" {
			flagCol += " " + arg
		}
		def := o.flag.DefValue
		switch {
		case strings.HasPrefix(o.unset, "--") || strings.Contains(o.unset, "<"):
			def = "`" + o.unset + "`"
		case o.unset != "":
			def = o.unset
		case def == "" || def == "[]":
			def = "—"
		case def == "false":
			def = "off"
		default:
			def = "`" + def + "`"
		}
		capCol := ""
		if slices.Contains(capacityOptions, o.option.flag) {
			capCol = "✓"
		}
		fmt.Fprintf(&b, "| %s` | `%s` | `%s` | %s | %s | %s |\n", flagCol, o.key, envName(o.option.flag), def,
			strings.ReplaceAll(o.usage, "|", `\|`), capCol)
	}
	return b.String()
}

// The README's option table is the rows, rendered; -update-docs rewrites it.
func TestOptionTableDoc(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := bytes.Cut(readme, []byte(tableBegin))
	_, after, ok2 := bytes.Cut(rest, []byte(tableEnd))
	if !ok1 || !ok2 {
		t.Fatalf("README.md lacks the markers %q … %q", tableBegin, tableEnd)
	}
	want := tableBegin + "\n" + optionTable() + tableEnd
	got := tableBegin + string(rest[:len(rest)-len(after)])
	if got == want {
		return
	}
	if !*updateDocs {
		t.Fatalf("README.md's option table differs from cmd/refreshstorm/options.go; run: go test ./cmd/refreshstorm -run TestOptionTableDoc -update-docs")
	}
	out := slices.Concat(before, []byte(want), after) // fresh: before and after share readme's array
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Every row resolves to a scenario field with a YAML key, and the flag and
// the file set the same field.
func TestEveryOptionHasAYAMLTwin(t *testing.T) {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	sc := defaultScenario()
	set := bindOptions(fs, &sc)
	seen := map[string]string{}
	for _, o := range set.rows {
		if o.key == "" {
			t.Errorf("--%s: field %s has no yaml tag", o.option.flag, o.field)
		}
		if prev, dup := seen[o.key]; dup {
			t.Errorf("--%s and --%s share the YAML key %s", o.option.flag, prev, o.key)
		}
		seen[o.key] = o.option.flag
	}
}

// A value reaches the scenario the same way from the file, the
// environment and the command line, and the most explicit one wins:
// flag > environment > file > default.
func TestSettingsLayerFlagOverEnvOverFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(cfg, []byte("sessions: 7\nrate: 3\nduration: 4s\ntimeout: 9s\nthresholds: [\"latency.p50<1s\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REFRESHSTORM_RATE", "5")
	t.Setenv("REFRESHSTORM_DURATION", "6s")
	t.Setenv("REFRESHSTORM_THRESHOLD", "latency.p90<2s\nlatency.p99<3s\n")
	t.Setenv("REFRESHSTORM_CONFIG", cfg)

	got := parseRunScenario(t, "--duration", "8s")
	want := map[string]any{
		"sessions (file)":       7,
		"rate (env)":            5.0,
		"duration (flag)":       8 * time.Second,
		"timeout (file)":        9 * time.Second,
		"seed (default)":        int64(1),
		"thresholds (file+env)": []string{"latency.p50<1s", "latency.p90<2s", "latency.p99<3s"},
	}
	have := map[string]any{
		"sessions (file)": got.Sessions, "rate (env)": got.Rate, "duration (flag)": got.Duration,
		"timeout (file)": got.Timeout, "seed (default)": got.Seed, "thresholds (file+env)": got.Thresholds,
	}
	for k, w := range want {
		if fmt.Sprint(have[k]) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, have[k], w)
		}
	}
}

// parseRunScenario runs `run`'s flag, environment and file layering and
// returns the scenario it would run, without running it.
func parseRunScenario(t *testing.T, args ...string) scenario {
	t.Helper()
	root := newRootCmd()
	run, _, err := root.Find([]string{"run"})
	if err != nil {
		t.Fatal(err)
	}
	root.RemoveCommand(run)
	var got scenario
	root.AddCommand(runCommand(func(_ *cobra.Command, sc scenario) error { got = sc; return nil }))
	root.SetArgs(append([]string{"run"}, args...))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	return got
}

// A bad value in a variable names the variable and the type it wants, and
// never echoes the value, which may be a secret.
func TestBadEnvironmentValueNamesTheVariable(t *testing.T) {
	for _, tc := range []struct{ cmd, env, want string }{
		{"run", "REFRESHSTORM_RATE", "REFRESHSTORM_RATE: want a number"},
		{"run", "REFRESHSTORM_DURATION", "REFRESHSTORM_DURATION: want a duration"},
		{"run", "REFRESHSTORM_HEADLESS", "REFRESHSTORM_HEADLESS: want true or false"},
		{"probe", "REFRESHSTORM_ROUNDS", "REFRESHSTORM_ROUNDS: want an integer"},
		{"capacity", "REFRESHSTORM_START_RATE", "REFRESHSTORM_START_RATE: want a number"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			const secret = "s3cr3t-not-a-value"
			t.Setenv(tc.env, secret)
			root := newRootCmd()
			root.SetArgs([]string{tc.cmd})
			cmd, err := root.ExecuteC()
			if err == nil {
				t.Fatal("no error")
			}
			line := errorLine(cmd, err, exitCodeOf(err))
			if exitCodeOf(err) != exitUsage || !strings.Contains(line, tc.want) || strings.Contains(line, secret) {
				t.Errorf("exit %d, %q: want exit 2 naming %q without the value", exitCodeOf(err), line, tc.want)
			}
			if !strings.HasSuffix(line, "(see: refreshstorm "+tc.cmd+" --help)") {
				t.Errorf("%q does not point to --help", line)
			}
		})
	}
}

// yamlOnly are the scenario keys with no flag: a structure, not a value.
var yamlOnly = map[string]bool{"profile": true}

// Every scenario key is a row (so it has a flag and a variable too),
// except the structured ones above.
func TestEveryScenarioKeyHasAFlag(t *testing.T) {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	sc := defaultScenario()
	rowKeys := map[string]bool{}
	for _, o := range bindOptions(fs, &sc).rows {
		rowKeys[o.key] = true
	}
	var walk func(rt reflect.Type)
	walk = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			switch {
			case opts == "inline":
				walk(f.Type)
			case name == "" || name == "-" || yamlOnly[name]:
			case !rowKeys[name]:
				t.Errorf("scenario key %s (field %s) has no row in options.go", name, f.Name)
			}
		}
	}
	walk(reflect.TypeFor[scenario]())
}

// Every flag of every command reads its environment twin.
func TestEveryFlagHasAnEnvironmentTwin(t *testing.T) {
	sample := map[string]string{"bool": "true", "int": "1", "int64": "1", "float64": "1", "duration": "1s"}
	var cmds []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && !c.Hidden {
			cmds = append(cmds, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
	checked := 0
	for _, path := range cmds {
		probeRoot := newRootCmd()
		c, _, err := probeRoot.Find(strings.Fields(path)[1:])
		if err != nil {
			t.Fatal(err)
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" || f.Name == "version" {
				return
			}
			v, ok := sample[unwrapValue(f.Value).Type()]
			if !ok {
				v = "x"
			}
			t.Run(path+" --"+f.Name, func(t *testing.T) {
				t.Setenv(envName(f.Name), v)
				root := newRootCmd()
				cmd, _, _ := root.Find(strings.Fields(path)[1:])
				if err := cmd.ParseFlags(nil); err != nil {
					t.Fatal(err)
				}
				if err := applyEnv(cmd); err != nil {
					t.Fatal(err)
				}
				if !cmd.Flags().Lookup(f.Name).Changed {
					t.Errorf("%s did not set --%s", envName(f.Name), f.Name)
				}
			})
			checked++
		})
	}
	if checked < 50 {
		t.Errorf("only %d flags checked", checked)
	}
}
