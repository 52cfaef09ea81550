package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadScenario: any scenario file loads, or is refused with a usage
// error of one bounded line; nothing panics or grows without end (alias
// bombs), and a loaded scenario validates or is refused the same way.
func FuzzLoadScenario(f *testing.F) {
	for _, s := range []string{
		"sessions: 5\nrate: 2.5\nduration: 3s\nheadless: true\nthresholds: [requests.total>1]\n",
		"profile:\n  refresh_path: 5\n  refresh_cookie: \"a;b\"\n",
		"stages:\n  - duration: 2s\n    rate: 400\n  - duration: 1s\n    rate: 0->400\n    warmup: true\n",
		"stages: 1s:10,1s:20\nchaos: replay=0.1:2s\n",
		"a: &a [1,2]\nb: &b [*a,*a]\n",
		"timeout: &t 5s\nidle_timeout: *t\n",
		"rate: .nan\nprogress_interval: -1s\n",
		"# only a comment\n", "", "---\n---\n", "[1, 2\n", "headers: [\"X: 1\", \"bad\"]\n",
		"<<: {rate: 3}\n", "sessions: !!str 5\n",
	} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "s.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		sc := defaultScenario()
		err := loadScenario(path, &sc)
		if err == nil {
			// Files named in the scenario are not read here.
			sc.Credentials, sc.Cookies, sc.Baseline, sc.Target, sc.Out = "", "", "", "", ""
			_, err = validate(sc)
			if err == nil {
				return
			}
		}
		var ce *codedError
		if !errors.As(err, &ce) || ce.code != exitUsage {
			t.Fatalf("not a usage error: %v", err)
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || len(msg) > 600 {
			t.Fatalf("error of %d bytes or several lines: %.200q", len(msg), msg)
		}
	})
}
