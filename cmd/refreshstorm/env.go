package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envPrefix starts every flag's environment twin: --max-workers reads
// REFRESHSTORM_MAX_WORKERS.
const envPrefix = "REFRESHSTORM_"

// envName is the environment twin of a flag.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyEnv gives every flag of cmd that was not on the command line the
// value of its environment twin, if set and not empty. pflag then marks it
// changed, so it overrides the scenario file as a flag would, and a flag
// on the command line still wins. A repeatable flag takes one value per
// line. A bad value is a usage error naming the variable and the type it
// wants; the value itself is never echoed, as it may be a secret.
func applyEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "help" || f.Name == "version" {
			return
		}
		name := envName(f.Name)
		raw, ok := os.LookupEnv(name)
		if !ok || raw == "" {
			return
		}
		values := []string{raw}
		if repeatable(f.Value) {
			values = nonEmptyLines(raw)
		}
		for _, v := range values {
			if cmd.Flags().Set(f.Name, v) != nil {
				err = usageError("%s: want %s (for --%s)", name, typeWords(f.Value), f.Name)
				return
			}
		}
	})
	return err
}

// unwrapValue sees through a value renamed for --help.
func unwrapValue(v pflag.Value) pflag.Value {
	if u, ok := v.(interface{ Unwrap() pflag.Value }); ok {
		return u.Unwrap()
	}
	return v
}

func repeatable(v pflag.Value) bool {
	_, ok := unwrapValue(v).(pflag.SliceValue)
	return ok
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimRight(line, "\r"); strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}

// typeWords says in words what a flag's value must look like.
func typeWords(v pflag.Value) string {
	switch t := unwrapValue(v).Type(); t {
	case "bool":
		return "true or false"
	case "int", "int64", "uint", "uint64", "int32":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "duration":
		return "a duration such as 30s or 5m"
	default:
		return fmt.Sprintf("a %s value", t)
	}
}
