package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/internal/policyspec"
)

// completer proposes values for a flag or an argument.
type completer = cobra.CompletionFunc

// fixed completes one of a closed set of words.
func fixed(words ...string) completer {
	return cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp)
}

// dirs completes directory names.
func dirs(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// files completes file names with one of the extensions (any file when none).
func files(ext ...string) completer {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(ext) == 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		return ext, cobra.ShellCompDirectiveFilterFileExt
	}
}

// commaList completes the part after the last comma of a comma-separated
// value: first for the first part, rest for each later one.
func commaList(first, rest []string) completer {
	return func(_ *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cut := strings.LastIndexByte(typed, ',') + 1
		words := first
		if cut > 0 {
			words = rest
		}
		var out []cobra.Completion
		for _, w := range words {
			if strings.HasPrefix(w, typed[cut:]) {
				out = append(out, typed[:cut]+w)
			}
		}
		// A value is often followed by more parts: no space after it.
		return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	}
}

func chaosWords() []string {
	var out []string
	for _, k := range attack.ChaosKindNames() {
		out = append(out, k+"=")
	}
	return out
}

// flagCompletions are the value completions by flag name, for every
// command that has the flag; "cmd --flag" keys one command only.
func flagCompletions() map[string]completer {
	serverFirst, serverRest := policyspec.Words(true)
	clientFirst, clientRest := policyspec.Words(false)
	return map[string]completer{
		"report --format":     fixed("text", "markdown", "json", "html", "junit"),
		"compare --format":    fixed("text", "markdown", "json"),
		"--profile":           fixed("cookie", "oauth2", "json"),
		"--client-auth":       fixed("basic", "post", "none"),
		"--reuse":             fixed("revoke-family", "reject"),
		"--events":            fixed("all", "sampled", "1/"),
		"--policy":            commaList(clientFirst, clientRest),
		"--server-policy":     commaList(serverFirst, serverRest),
		"--chaos":             commaList(chaosWords(), chaosWords()),
		"--out":               dirs,
		"--baseline":          dirs,
		"--config":            files("yaml", "yml"),
		"--credentials":       files("csv"),
		"--cookies":           files("csv"),
		"--write-credentials": files("csv"),
		"--write-cookies":     files("csv"),
		"--ca-cert":           files("pem", "crt"),
		"--client-cert":       files("pem", "crt"),
		"--client-key":        files("pem", "key"),
		"--tls-self-signed":   files("pem"),
		"--tls-cert":          files("pem", "crt"),
		"--tls-key":           files("pem", "key"),
	}
}

// addCompletions registers the value completions on every command of
// the tree, and directory completion for the commands whose arguments
// are results directories.
func addCompletions(root *cobra.Command) {
	byFlag := flagCompletions()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, name := range []string{"report", "merge", "compare"} {
			if c.Name() == name && c.ValidArgsFunction == nil {
				c.ValidArgsFunction = dirs
			}
		}
		for key, fn := range byFlag {
			cmdName, flag, scoped := strings.Cut(key, " ")
			if !scoped {
				flag = cmdName
			} else if cmdName != c.Name() {
				continue
			}
			name := strings.TrimPrefix(flag, "--")
			if c.LocalFlags().Lookup(name) == nil {
				continue
			}
			if _, taken := c.GetFlagCompletionFunc(name); taken {
				continue
			}
			_ = c.RegisterFlagCompletionFunc(name, fn) // cannot fail: the flag exists and is free
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
