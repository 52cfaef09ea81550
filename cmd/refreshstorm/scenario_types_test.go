package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestScenarioTypeErrorsNameLineKeyWantGot: every kind of key, nested
// profile.* and stages[] keys included, reads file:line: key: want, got.
func TestScenarioTypeErrorsNameLineKeyWantGot(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"sessions: ten\n", ":1: sessions: want an integer, got string"},
		{"sessions: 1.5\n", ":1: sessions: want an integer, got a number"},
		{"sessions: [1]\n", ":1: sessions: want an integer, got a list"},
		{"sessions:\n", ":1: sessions: want an integer, got nothing (null)"},
		{"seed: true\n", ":1: seed: want an integer, got true or false"},
		{"rate: fast\n", ":1: rate: want a number, got string"},
		{"rate: {a: 1}\n", ":1: rate: want a number, got a mapping"},
		{"duration: 10\n", ":1: duration: want a duration like 10s, got an integer"},
		{"rate: 5\nduration: 3q\n", ":2: duration: want a duration like 10s, got string"},
		{"headless: yes please\n", ":1: headless: want true or false, got string"},
		{"headless: 1\n", ":1: headless: want true or false, got an integer"},
		{"target: 8080\n", ":1: target: want a string, got an integer"},
		{"policy: [strict]\n", ":1: policy: want a string, got a list"},
		{"thresholds: latency.p99<250ms\n", ":1: thresholds: want a list of strings, got string"},
		{"thresholds:\n  - requests.total>1\n  - 5\n", ":3: thresholds[2]: want a string, got an integer"},
		{"headers: {X-Key: v}\n", ":1: headers: want a list of strings, got a mapping"},
		{"http2: on\n", ":1: http2: want true or false, got string"},
		{"idle_timeout: 4\n", ":1: idle_timeout: want a duration like 10s, got an integer"},
		{"max_retry_after: 1.5\n", ":1: max_retry_after: want a duration like 10s, got a number"},
		{"profile: /api\n", ":1: profile: want a mapping of keys, got string"},
		{"profile:\n  refresh_path: 5\n", ":2: profile.refresh_path: want a string, got an integer"},
		{"profile:\n  sign_in_path: /in\n  refresh_cookie: true\n", ":3: profile.refresh_cookie: want a string, got true or false"},
		{"profile:\n  csrf_header: [X-CSRF]\n", ":2: profile.csrf_header: want a string, got a list"},
		{"profile:\n  refresh_pth: /r\n", ":2: profile.refresh_pth: unknown key"},
		{"rate: 5\nbogus_key: 1\n", ":2: bogus_key: unknown key"},
		{"stages: 5\n", ":1: stages: want a stage spec string or a list of stages, got an integer"},
		{"stages:\n  - duration: 2s\n    rate: 400\n  - duration: 2s\n    rate: 10\n    warmup: maybe\n", ":6: stages[2].warmup: want true or false, got string"},
		{"stages:\n  - duration: 2\n    rate: 400\n", ":2: stages[1].duration: want a duration like 10s, got an integer"},
		{"stages:\n  - duration: 2s\n    rat: 400\n", ":3: stages[1].rat: unknown key"},
		{"base: &b 7\nsessions: 3\n", ":1: base: unknown key"},
		{"- 1\n- 2\n", ":1: the file: want a mapping of keys, got a list"},
	}
	for _, c := range cases {
		path := writeFile(t, "s.yaml", c.yaml)
		sc := defaultScenario()
		err := loadScenario(path, &sc)
		var ce *codedError
		if err == nil || !errors.As(err, &ce) || ce.code != exitUsage {
			t.Errorf("%q: err %v; want a usage error", c.yaml, err)
			continue
		}
		if want := path + c.want; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q:\n got  %s\n want %s", c.yaml, err, want)
		}
	}
}

// TestScenarioTypesAcceptGoodFiles: the right kinds, aliases, quoted
// numbers as strings and bare-number stage rates all load.
func TestScenarioTypesAcceptGoodFiles(t *testing.T) {
	good := []string{
		"",
		"# only a comment\n",
		"sessions: 5\nrate: 2.5\nduration: 3s\nheadless: true\nthresholds: [requests.total>1]\n",
		"rate: 10\nseed: 3\ntarget: \"8080\"\nprofile:\n  refresh_path: /r\n  refresh_cookie: rt\n",
		"stages:\n  - duration: 2s\n    rate: 400\n  - duration: 1s\n    rate: 0->400\n    warmup: true\n",
		"stages: 1s:10,1s:20\n",
		"timeout: &t 5s\nidle_timeout: *t\n",
		"rate: .nan\n", // a number; validate rejects it with the flag's name
	}
	for _, y := range good {
		path := writeFile(t, "s.yaml", y)
		sc := defaultScenario()
		if err := loadScenario(path, &sc); err != nil {
			t.Errorf("%q: %v", y, err)
		}
	}
	sc := defaultScenario()
	if err := loadScenario(filepath.Join(t.TempDir(), "none.yaml"), &sc); err == nil {
		t.Error("missing file loaded")
	}
}
