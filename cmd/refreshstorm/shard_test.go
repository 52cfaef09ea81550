package main

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// secretTap wraps the authserver and remembers every token and CSRF
// value it hands out, so the test can prove none reaches a result file.
type secretTap struct {
	next    http.Handler
	mu      sync.Mutex
	secrets map[string]bool
}

func (s *secretTap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	s.next.ServeHTTP(rec, r)
	s.mu.Lock()
	for _, line := range rec.Result().Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil && len(c.Value) >= 16 {
			s.secrets[c.Value] = true
		}
	}
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &body) == nil && body.CSRF != "" {
		s.secrets[body.CSRF] = true
	}
	s.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// TestShardsMergeExactlyAndLeakNoSecrets runs two shards in-process
// against one authserver with chaos, merges them through the CLI, and
// checks that counts add up exactly, that the merged histogram is the one
// built from every recorded value, and that no token, CSRF value or
// password issued during the runs appears in any result file.
func TestShardsMergeExactlyAndLeakNoSecrets(t *testing.T) {
	policy, _ := authserver.ParsePolicy("strict")
	users := authserver.DemoUsers(40)
	srv, err := authserver.New(authserver.Config{Policy: policy, Users: users})
	if err != nil {
		t.Fatal(err)
	}
	tap := &secretTap{next: srv, secrets: map[string]bool{}}
	ts := httptest.NewServer(tap)
	defer ts.Close()
	var csv strings.Builder
	csv.WriteString("identifier,password\n")
	for i := 1; i <= 40; i++ {
		id := fmt.Sprintf("user-%04d", i)
		fmt.Fprintf(&csv, "%s,%s\n", id, users[id])
		tap.secrets[users[id]] = true
	}
	creds := writeFile(t, "users.csv", csv.String())

	base := t.TempDir()
	dirs := []string{filepath.Join(base, "s1"), filepath.Join(base, "s2")}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	outs := make([]string, 2)
	for i := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var stdout, stderr string
			codes[i], stdout, stderr = execCLI(t, context.Background(), "run", "--headless", "--target", ts.URL, "--credentials", creds,
				"--sessions", "40", "--rate", "120", "--duration", "2s", "--shard", fmt.Sprintf("%d/2", i+1),
				"--chaos", "lost-response=0.05,concurrent=0.05:3,replay=0.05:200ms,csrf=0.05,stale-cookie=0.05",
				"--probe-margin", "200ms", "--vegeta-results", "--events", "all", "--out", dirs[i])
			outs[i] = stdout + stderr
		}()
	}
	wg.Wait()
	// Exact merging and secrets are the point here, not the achieved rate
	// (runPassed); the merge re-judges the shards' thresholds.
	if !runPassed(t, codes[0], dirs[0]) || !runPassed(t, codes[1], dirs[1]) {
		t.Fatalf("shard exit codes %v\n%s\n%s", codes, outs[0], outs[1])
	}
	merged := filepath.Join(base, "merged")
	if code, out, errOut := execCLI(t, context.Background(), "merge", dirs[0], dirs[1], "--out", merged); !runPassed(t, code, merged) {
		t.Fatalf("merge exit %d\n%s\n%s", code, out, errOut)
	}

	m := loadDir(t, merged)
	s1, s2 := loadDir(t, dirs[0]), loadDir(t, dirs[1])
	for o := range m.Outcomes {
		if m.Outcomes[o] != s1.Outcomes[o]+s2.Outcomes[o] {
			t.Errorf("%s: merged %d, shards %d+%d", oracle.Outcome(o), m.Outcomes[o], s1.Outcomes[o], s2.Outcomes[o])
		}
	}
	if m.Requests.Total != s1.Requests.Total+s2.Requests.Total || m.RaceLogouts.Count != s1.RaceLogouts.Count+s2.RaceLogouts.Count {
		t.Errorf("totals: merged %d/%d, shards %d+%d / %d+%d", m.Requests.Total, m.RaceLogouts.Count,
			s1.Requests.Total, s2.Requests.Total, s1.RaceLogouts.Count, s2.RaceLogouts.Count)
	}
	if s1.Config["shard_sessions"].(float64)+s2.Config["shard_sessions"].(float64) != 40 {
		t.Errorf("shards split the sessions %v + %v", s1.Config["shard_sessions"], s2.Config["shard_sessions"])
	}

	// The merged load histogram against one built from every value the
	// shards recorded (events.csv keeps microseconds).
	all := hdr.New(1000, 60_000_000_000, 3)
	for _, d := range dirs {
		for _, ns := range loadLatencies(t, filepath.Join(d, results.FileEvents)) {
			_ = all.RecordValue(ns)
		}
	}
	got := m.Histograms.Load.Raw
	if got.TotalCount() != all.TotalCount() {
		t.Fatalf("merged histogram holds %d values, the shards recorded %d", got.TotalCount(), all.TotalCount())
	}
	for _, q := range []float64{50, 90, 99, 99.9, 100} {
		a, b := got.ValueAtQuantile(q), all.ValueAtQuantile(q)
		if diff := a - b; diff > 1000+a/500 || diff < -(1000+a/500) {
			t.Errorf("p%v: merged %dns, from all values %dns", q, a, b)
		}
	}
	both := hdr.New(1000, 60_000_000_000, 3)
	both.Merge(s1.Histograms.Load.Raw)
	both.Merge(s2.Histograms.Load.Raw)
	if !both.Equals(got) {
		t.Error("merged histogram differs from the union of the shards' histograms")
	}

	for _, d := range append(dirs, merged) {
		readBackFiles(t, d)
	}

	for _, d := range append(dirs, merged) {
		entries, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			raw, err := os.ReadFile(filepath.Join(d, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			text := string(raw)
			tap.mu.Lock()
			for secret := range tap.secrets {
				if strings.Contains(text, secret) {
					t.Errorf("%s/%s contains a secret issued by the server", filepath.Base(d), e.Name())
					break
				}
			}
			tap.mu.Unlock()
		}
	}
	if len(tap.secrets) < 100 {
		t.Fatalf("only %d secrets seen: the tap did not observe the runs", len(tap.secrets))
	}
}

func loadDir(t *testing.T, dir string) *results.Summary {
	t.Helper()
	l, err := results.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l.Summary
}

// loadLatencies reads the latency (ns) of every load request in events.csv.
func loadLatencies(t *testing.T, path string) []int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []int64
	r := bufio.NewReader(f)
	_, _ = r.ReadString('\n')
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		cols := strings.Split(line, ",")
		switch cols[4] {
		case "refresh", "duplicate", "replay":
			ms, err := strconv.ParseFloat(cols[8], 64)
			if err != nil {
				t.Fatalf("latency %q: %v", cols[8], err)
			}
			out = append(out, int64(ms*float64(time.Millisecond)))
		}
	}
	return out
}

// readBackFiles decodes the files of a real run with the readers their
// formats promise: hdrhistogram's log reader, vegeta's decoder, XML.
func readBackFiles(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, results.FileHlog))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := hdr.NewHistogramLogReader(f)
	tags := map[string]int64{}
	for {
		h, err := rd.NextIntervalHistogram()
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if h == nil {
			break
		}
		tags[h.Tag()] += h.TotalCount()
	}
	for _, tag := range []string{"refresh", "duplicate", "replay", "probe", "sign-in"} {
		if tags[tag] == 0 {
			t.Errorf("%s: latency.hlog has no %s interval (tags %v)", filepath.Base(dir), tag, tags)
		}
	}

	rb, err := os.Open(filepath.Join(dir, results.FileResultsBin))
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Close()
	dec := vegeta.NewDecoder(rb)
	n := 0
	for {
		var r vegeta.Result
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: results.bin: %v", dir, err)
		}
		n++
	}
	if n == 0 {
		t.Errorf("%s: results.bin is empty", dir)
	}

	raw, err := os.ReadFile(filepath.Join(dir, results.FileJUnit))
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(raw, &suites); err != nil || len(suites.Suites) == 0 || len(suites.Suites[0].Cases) == 0 {
		t.Errorf("%s: junit.xml: %v %+v", dir, err, suites)
	}
	html, err := os.ReadFile(filepath.Join(dir, results.FileReport))
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{`src="http`, `href="http`, `@import`} {
		if strings.Contains(string(html), ref) {
			t.Errorf("%s: report.html references the network (%s)", dir, ref)
		}
	}
}
