package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"go.uber.org/goleak"

	"github.com/refreshstorm/refreshstorm/internal/hostile"
	"github.com/refreshstorm/refreshstorm/results"
)

// hostileCase is one misbehaviour and what the run must make of it.
type hostileCase struct {
	name    string
	opts    hostile.Options
	args    []string
	code    int
	outcome string // an outcome the summary must count (exit 0/1)
	stderr  string // a text stderr must hold (exit 3)
	zero    []string
	// atMost bounds outcome counts: a throttled session rests for its
	// Retry-After, so 5 sessions over D seconds resting R seconds send at
	// most 5*(D/R+1) refreshes (a slow machine only sends fewer).
	atMost map[string]float64
}

var hostileCases = []hostileCase{
	{name: "setcookie-nul on refresh", opts: hostile.Options{Mode: hostile.SetCookieNUL, Step: hostile.Refresh}, code: exitFailed, outcome: "transport_error"},
	{name: "duplicate cookie on refresh", opts: hostile.Options{Mode: hostile.DuplicateCookie, Step: hostile.Refresh}, code: exitFailed},
	{name: "oversized cookie on refresh", opts: hostile.Options{Mode: hostile.OversizedCookie, Step: hostile.Refresh}, code: exitFailed},
	{name: "insecure __Host- at sign-in", opts: hostile.Options{Mode: hostile.InsecureHost, Step: hostile.SignIn}, code: exitFailed, outcome: "fail_cookie_attrs"},
	{name: "insecure __Host- on refresh", opts: hostile.Options{Mode: hostile.InsecureHost, Step: hostile.Refresh}, code: exitFailed, outcome: "fail_cookie_attrs"},
	{name: "non-JSON refresh body", opts: hostile.Options{Mode: hostile.NonJSON, Step: hostile.Refresh}, code: exitFailed, outcome: "fail_bad_response"},
	{name: "non-JSON sign-in body", opts: hostile.Options{Mode: hostile.NonJSON, Step: hostile.SignIn}, code: exitCannotRun, stderr: "sign-in: body is not JSON"},
	{name: "non-JSON csrf body", opts: hostile.Options{Mode: hostile.NonJSON, Step: hostile.CSRF}, code: exitCannotRun, stderr: "csrf: body is not JSON"},
	{name: "huge refresh body", opts: hostile.Options{Mode: hostile.HugeBody, Step: hostile.Refresh}, code: exitFailed},
	{name: "huge sign-in body", opts: hostile.Options{Mode: hostile.HugeBody, Step: hostile.SignIn}, code: exitCannotRun, stderr: "sign-in"},
	{name: "trickled refresh body", opts: hostile.Options{Mode: hostile.Trickle, Step: hostile.Refresh}, args: []string{"--timeout", "300ms"}, code: exitFailed, outcome: "timeout", zero: []string{"transport_error"}},
	{name: "redirected refresh", opts: hostile.Options{Mode: hostile.Redirect, Step: hostile.Refresh}, code: exitFailed},
	{name: "redirected sign-in", opts: hostile.Options{Mode: hostile.Redirect, Step: hostile.SignIn}, code: exitCannotRun, stderr: "HTTP 307"},
	{name: "reset mid-body on refresh", opts: hostile.Options{Mode: hostile.ResetMidBody, Step: hostile.Refresh}, code: exitFailed, outcome: "transport_error"},
	{name: "close after headers on refresh", opts: hostile.Options{Mode: hostile.CloseAfterHeaders, Step: hostile.Refresh}, code: exitFailed, outcome: "transport_error"},
	{name: "close after headers on csrf", opts: hostile.Options{Mode: hostile.CloseAfterHeaders, Step: hostile.CSRF}, code: exitCannotRun, stderr: "csrf"},
	{name: "hanging refresh", opts: hostile.Options{Mode: hostile.Hang, Step: hostile.Refresh}, args: []string{"--timeout", "300ms"}, code: exitFailed, outcome: "timeout", zero: []string{"transport_error"}},
	// A server closing idle keep-alive connections after 1s, like Node
	// after 5s: the client drops them first, so no refresh is lost on one.
	{name: "server closes idle connections", opts: hostile.Options{IdleTimeout: time.Second}, args: []string{"--sessions", "2", "--rate", "1", "--duration", "4s", "--idle-timeout", "500ms"},
		code: exitPass, outcome: "ok_rotated", zero: []string{"transport_error", "timeout"}},
	{name: "blackhole listener", opts: hostile.Options{Mode: hostile.Blackhole}, args: []string{"--timeout", "300ms"}, code: exitCannotRun, stderr: "bootstrap"},
	{name: "refresh 401 echoing secrets", opts: hostile.Options{Mode: hostile.EchoSecrets, Step: hostile.Refresh}, code: exitFailed},
	{name: "sign-in 401 echoing the password", opts: hostile.Options{Mode: hostile.EchoSecrets, Step: hostile.SignIn}, code: exitCannotRun, stderr: "HTTP 401"},
	{name: "absurd Retry-After at sign-in", opts: hostile.Options{Mode: hostile.AbsurdRetryAfter, Step: hostile.SignIn, Users: 10}, args: []string{"--sessions", "10", "--duration", "3s"}, code: exitCannotRun, stderr: "--max-retry-after"},
	{name: "every refresh throttled", opts: hostile.Options{Mode: hostile.Throttle, Step: hostile.Refresh}, code: exitFailed, outcome: "rate_limited"},
	// Endless answers: reading stops at the body limit and at
	// MaxResponseHeader, so what the target manages to write per answer
	// is bounded (socket buffers included); see checkEndless.
	{name: "endless body on refresh", opts: hostile.Options{Mode: hostile.EndlessBody, Step: hostile.Refresh}, code: exitFailed, outcome: "fail_bad_response"},
	{name: "endless header on refresh", opts: hostile.Options{Mode: hostile.EndlessHeader, Step: hostile.Refresh}, code: exitFailed, outcome: "transport_error"},
	{name: "endless header at sign-in", opts: hostile.Options{Mode: hostile.EndlessHeader, Step: hostile.SignIn}, code: exitCannotRun, stderr: "sign-in"},
	{name: "endless body at sign-in", opts: hostile.Options{Mode: hostile.EndlessBody, Step: hostile.SignIn}, code: exitCannotRun, stderr: "sign-in"},
	{name: "throttled refreshes rest for Retry-After", opts: hostile.Options{Mode: hostile.Throttle, Step: hostile.Refresh}, args: []string{"--duration", "2s"},
		code: exitFailed, outcome: "rate_limited", atMost: map[string]float64{"rate_limited": 5 * (2/1 + 1)}},
	{name: "absurd Retry-After on refresh rests --max-retry-after", opts: hostile.Options{Mode: hostile.AbsurdRetryAfter, Step: hostile.Refresh},
		args: []string{"--duration", "2s", "--max-retry-after", "500ms"}, code: exitFailed, outcome: "rate_limited", atMost: map[string]float64{"rate_limited": 5 * (2/0.5 + 1)}},
	{name: "bootstrap deadline", opts: hostile.Options{Mode: hostile.Hang, Step: hostile.SignIn}, args: []string{"--bootstrap-timeout", "500ms"}, code: exitCannotRun, stderr: "--bootstrap-timeout"},
}

// TestHostileTargets runs the CLI against every hostile mode over
// loopback and checks the exit code, the outcome, that every file parses,
// and that no secret the target issued or received is written anywhere.
func TestHostileTargets(t *testing.T) {
	// Goroutines of other tests running in parallel are not ours.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Run("modes", func(t *testing.T) { runHostileCases(t) })
}

func runHostileCases(t *testing.T) {
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each run mostly waits on its 1s load or a timeout
			srv, err := hostile.Start(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			creds := writeFile(t, "users.csv", srv.CredentialsCSV())
			out := filepath.Join(t.TempDir(), "r")
			args := append([]string{"run", "--headless", "--target", srv.URL, "--credentials", creds,
				"--sessions", "5", "--rate", "20", "--duration", "1s", "--out", out, "--timeout", "2s", "--events", "all", "--vegeta-results"}, tc.args...)
			// Bounded time: a hang fails here, not in the CI job's timeout.
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			done := make(chan struct{})
			var code int
			var stdout, stderr string
			go func() {
				defer close(done)
				code, stdout, stderr = execCLI(t, ctx, args...)
			}()
			select {
			case <-done:
			case <-ctx.Done():
				t.Fatalf("run did not end within 60s")
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, stdout, stderr)
			}
			if tc.stderr != "" && !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr lacks %q: %s", tc.stderr, stderr)
			}
			if code == exitCannotRun {
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				t.Logf("%s: exit %d: %s", tc.name, code, lines[len(lines)-1])
			}
			texts := map[string]string{"stdout": stdout, "stderr": stderr}
			if code == exitPass || code == exitFailed {
				for name, body := range checkResultFiles(t, out) {
					texts[name] = body
				}
				doc := readSummary(t, out)
				t.Logf("%s: exit %d, outcomes %v", tc.name, code, nonZero(doc["outcomes"]))
				if tc.outcome != "" && outcome(doc, tc.outcome) == 0 {
					t.Errorf("outcome %s not counted: %v", tc.outcome, doc["outcomes"])
				}
				for o, most := range tc.atMost {
					if n := outcome(doc, o); n > most {
						t.Errorf("outcome %s counted %v times, at most %v if sessions rest for Retry-After", o, n, most)
					}
				}
				for _, o := range tc.zero {
					if outcome(doc, o) != 0 {
						t.Errorf("outcome %s counted: %v", o, doc["outcomes"])
					}
				}
			}
			if tc.opts.Mode == hostile.EndlessBody || tc.opts.Mode == hostile.EndlessHeader {
				checkEndless(t, srv)
			}
			secrets := srv.Tap.Secrets()
			if len(secrets) == 0 && tc.opts.Mode != hostile.Blackhole {
				t.Fatal("the tap saw no secret")
			}
			for name, body := range texts {
				for _, s := range secrets {
					if strings.Contains(body, s) {
						t.Errorf("%s holds the secret %.12s…", name, s)
					}
				}
			}
		})
	}
}

// checkResultFiles parses every result file and returns their texts.
func checkResultFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	texts := map[string]string{}
	for _, name := range []string{results.FileSummaryJSON, results.FileSummaryText, results.FileEvents, results.FileHlog,
		results.FileResultsBin, results.FileJUnit, results.FileReport, results.FileHistograms, results.FileTimeline} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		texts[name] = string(b)
		switch name {
		case results.FileSummaryJSON, results.FileHistograms:
			if !json.Valid(b) {
				t.Errorf("%s is not JSON", name)
			}
		case results.FileEvents, results.FileTimeline:
			if _, err := csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case results.FileJUnit:
			var v any
			if err := xml.Unmarshal(b, &v); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case results.FileResultsBin:
			dec := vegeta.NewDecoder(bytes.NewReader(b))
			for {
				var r vegeta.Result
				if err := dec.Decode(&r); err == io.EOF {
					break
				} else if err != nil {
					t.Errorf("%s: %v", name, err)
					break
				}
			}
		}
	}
	return texts
}

func nonZero(outcomes any) map[string]float64 {
	out := map[string]float64{}
	m, _ := outcomes.(map[string]any)
	for k, v := range m {
		if n, _ := v.(float64); n > 0 {
			out[k] = n
		}
	}
	return out
}

// maxBytesPerEndlessAnswer bounds what one endless answer may push before
// the harness hangs up: the 256 KB header limit or the 1 MB body limit,
// plus what loopback socket buffers hold (a few MB on Linux). Without the
// limits a 2s timeout lets the target write hundreds of MB per answer,
// and Go's default header limit alone is 10 MB.
const maxBytesPerEndlessAnswer = 8 << 20

func checkEndless(t *testing.T, srv *hostile.Server) {
	t.Helper()
	answers, written := srv.Endless()
	if answers == 0 {
		t.Fatal("no endless answer was sent")
	}
	per := written / answers
	t.Logf("%d endless answers, %.1f MB written per answer", answers, float64(per)/(1<<20))
	if per > maxBytesPerEndlessAnswer {
		t.Errorf("%.1f MB written per endless answer; the harness kept reading (bound %d MB)", float64(per)/(1<<20), maxBytesPerEndlessAnswer>>20)
	}
}
