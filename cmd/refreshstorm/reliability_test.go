package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/results"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// builtBinary builds refreshstorm once per test process: signals and
// kill -9 must hit the real program, not a test goroutine.
func builtBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "refreshstorm-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "refreshstorm")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = errors.New(string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// startRun starts a long run against the embedded server and waits until
// the load is under way (a progress line) or, with signIn, until sign-in
// has begun.
func startRun(t *testing.T, out string, signIn bool, extra ...string) (*exec.Cmd, *bytes.Buffer, *syncBuffer) {
	t.Helper()
	args := append([]string{"run", "--headless", "--duration", "60s", "--rate", "50", "--vegeta-results", "--out", out}, extra...)
	cmd := exec.Command(builtBinary(t), args...)
	var stdout bytes.Buffer
	stderr := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	want := "rate "
	if signIn {
		want = "signing in"
	}
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(stderr.String(), want); {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no %q on stderr: %s", want, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cmd, &stdout, stderr
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("run did not exit after the signal")
	}
	return cmd.ProcessState.ExitCode()
}

func TestSignalsWriteEverythingAndExit130(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r")
			cmd, stdout, stderr := startRun(t, out, false, "--sessions", "5")
			cmd.Process.Signal(sig)
			if code := exitCode(t, cmd); code != exitInterrupted {
				t.Fatalf("exit %d, want 130; stderr %s", code, stderr.String())
			}
			for _, f := range []string{results.FileSummaryJSON, results.FileJUnit, results.FileEvents, results.FileHlog, results.FileResultsBin} {
				fi, err := os.Stat(filepath.Join(out, f))
				if err != nil || fi.Size() == 0 {
					t.Errorf("%s: %v (size %v)", f, err, fi)
				}
			}
			if partial, _ := filepath.Glob(filepath.Join(out, "*.partial")); len(partial) > 0 {
				t.Errorf("left %v", partial)
			}
			if !strings.Contains(stdout.String(), "VERDICT") {
				t.Errorf("no verdict on stdout: %q", stdout.String())
			}
		})
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	// Many sessions make sign-in long, so the first signal's clean-up is
	// still under way when the second arrives.
	cmd, _, stderr := startRun(t, out, true, "--sessions", "3000")
	cmd.Process.Signal(syscall.SIGINT)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stderr.String(), "signal again"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("first signal not acknowledged")
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	if code := exitCode(t, cmd); code != exitInterrupted {
		t.Fatalf("exit %d; stderr %s", code, stderr.String())
	}
}

func TestInterruptDuringSignInWritesResults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	cmd, _, stderr := startRun(t, out, true, "--sessions", "3000")
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, cmd); code != exitInterrupted {
		t.Fatalf("exit %d; stderr %s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(out, results.FileSummaryJSON))
	if err != nil || !strings.Contains(string(b), "nothing was measured") || !strings.Contains(string(b), `"interrupted": true`) {
		t.Fatalf("summary.json: %v %s", err, b)
	}
	if _, err := os.Stat(filepath.Join(out, results.FileJUnit)); err != nil {
		t.Error(err)
	}
}

func TestKill9LeavesFlushedPartialFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r")
	cmd, _, _ := startRun(t, out, false, "--sessions", "5")
	time.Sleep(2 * time.Second)
	cmd.Process.Kill()
	cmd.Wait()
	for _, f := range []string{results.FileEvents, results.FileHlog, results.FileResultsBin} {
		fi, err := os.Stat(filepath.Join(out, f+".partial"))
		if err != nil || fi.Size() == 0 {
			t.Errorf("%s.partial: %v (%v)", f, err, fi)
		}
	}
	if _, err := os.Stat(filepath.Join(out, results.FileSummaryJSON)); !os.IsNotExist(err) {
		t.Error("a killed run has a summary.json")
	}
}

// TestFullDiskStopsTheLoad uses a real 512 KB tmpfs when it can mount one
// (root); otherwise it fills nothing and is skipped, saying so.
func TestFullDiskStopsTheLoad(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=512k"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v): needs root", err)
	}
	defer syscall.Unmount(mnt, 0)
	out := filepath.Join(mnt, "r")
	cmd := exec.Command(builtBinary(t), "run", "--headless", "--sessions", "50", "--rate", "2000", "--duration", "60s", "--out", out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Start()
	if code := exitCode(t, cmd); code != exitCannotRun {
		t.Fatalf("exit %d; stderr %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "no space left") || !strings.Contains(stderr.String(), out) {
		t.Errorf("error does not name the file and cause: %s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "VERDICT") {
		t.Errorf("no verdict so far on stdout: %q", stdout.String())
	}
}

func TestInputCheckedBeforeSignIn(t *testing.T) {
	base := t.TempDir()
	full := filepath.Join(base, "full")
	os.MkdirAll(full, 0o755)
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o644)
	nan := filepath.Join(base, "nan.yaml")
	os.WriteFile(nan, []byte("rate: .nan\n"), 0o644)
	bomb := filepath.Join(base, "bomb.yaml")
	var y strings.Builder
	y.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for c := 'b'; c <= 'i'; c++ {
		prev := string(c - 1)
		y.WriteString(string(c) + ": &" + string(c) + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n")
	}
	os.WriteFile(bomb, []byte(y.String()), 0o644)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "NaN"}, "--rate NaN"},
		{[]string{"--rate", "Inf"}, "--rate +Inf"},
		{[]string{"--rate", "-1"}, "--rate -1"},
		{[]string{"--config", nan}, "--rate NaN"},
		{[]string{"--progress-interval", "-1s"}, "--progress-interval"},
		{[]string{"--timing-margin", "-1s"}, "--timing-margin"},
		{[]string{"--config", bomb}, "nested aliases"},
		{[]string{"--out", full}, "not empty"},
		{[]string{"--out", file}, "not a directory"},
		{[]string{"--metrics-addr", busy.Addr().String(), "--out", filepath.Join(base, "m")}, "--metrics-addr"},
	}
	for _, c := range cases {
		// Thousands of sessions: reaching sign-in would show as a timeout.
		cmd := exec.Command(builtBinary(t), append([]string{"run", "--headless", "--sessions", "5000", "--duration", "1s"}, c.args...)...)
		cmd.Dir = base
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != exitUsage || !strings.Contains(stderr.String(), c.want) || strings.Contains(stderr.String(), "signing in") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q before sign-in", c.args, code, stderr.String(), c.want)
		}
	}
}
