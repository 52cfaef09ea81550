package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/targets"
)

// scenario is everything a run is configured with. Every field is a
// flag of `run` and has the YAML key in its tag (the flag's twin).
type scenario struct {
	Target          string        `yaml:"target"`
	Sessions        int           `yaml:"sessions"`
	Rate            float64       `yaml:"rate"`
	Duration        time.Duration `yaml:"duration"`
	Stages          stagePlan     `yaml:"stages"`
	AbortOnFail     bool          `yaml:"abort_on_fail"`
	AbortAfter      time.Duration `yaml:"abort_after"`
	Chaos           string        `yaml:"chaos"`
	Policy          string        `yaml:"policy"`
	ServerPolicy    string        `yaml:"server_policy"`
	Credentials     string        `yaml:"credentials"`
	Cookies         string        `yaml:"cookies"`
	FamiliesPerUser int           `yaml:"families_per_user"`
	Out             string        `yaml:"out"`
	Headless        bool          `yaml:"headless"`
	Thresholds      []string      `yaml:"thresholds"`
	MaxWorkers      int           `yaml:"max_workers"`
	Shard           string        `yaml:"shard"`
	Seed            int64         `yaml:"seed"`
	Timeout         time.Duration `yaml:"timeout"`
	TimingMargin    time.Duration `yaml:"timing_margin"`
	ProbeMargin     time.Duration `yaml:"probe_margin"`
	AllowInsecure   bool          `yaml:"allow_insecure_cookies"`
	MetricsAddr     string        `yaml:"metrics_addr"`
	Interval        time.Duration `yaml:"progress_interval"`
	Baseline        string        `yaml:"baseline"`
	BaselineForce   bool          `yaml:"baseline_force"`
	Tolerances      []string      `yaml:"tolerances"`

	IdleTimeout      time.Duration `yaml:"idle_timeout"`
	MaxRetryAfter    time.Duration `yaml:"max_retry_after"`
	BootstrapTimeout time.Duration `yaml:"bootstrap_timeout"`

	Events        string `yaml:"events"`
	VegetaResults string `yaml:"vegeta_results"`
	Gzip          bool   `yaml:"gzip"`

	Network network `yaml:",inline"`

	// Profile overrides endpoint paths, cookie, header and field names.
	Profile targets.CookieConfig `yaml:"profile"`
}

func defaultScenario() scenario {
	return scenario{
		Sessions:        100,
		Rate:            100,
		Duration:        10 * time.Second,
		Policy:          "strict",
		FamiliesPerUser: 1,
		Timeout:         10 * time.Second,
		TimingMargin:    250 * time.Millisecond,
		ProbeMargin:     time.Second,
		Interval:        time.Second,

		IdleTimeout:      attack.DefaultIdleTimeout,
		MaxRetryAfter:    30 * time.Second,
		BootstrapTimeout: 2 * time.Minute,
		Seed:             1,
		AbortAfter:       5 * time.Second,
		Events:           "sampled",
		Network:          defaultNetwork(),
	}
}

// loadScenario reads a scenario file over the defaults. Unknown keys are
// errors naming file, line and column; relative paths inside the file are
// relative to the file.
func loadScenario(path string, into *scenario) error {
	data, err := readLimited(path, maxScenarioBytes)
	if err != nil {
		return usageError("scenario: %v", err)
	}
	if err := checkAliases(data); err != nil {
		return usageError("scenario %s: %v", path, err)
	}
	if msg := checkTypes(data, reflect.TypeOf(*into)); msg != "" {
		return usageError("%s:%s", path, msg)
	}
	if err := yaml.UnmarshalWithOptions(data, into, yaml.DisallowUnknownField()); err != nil {
		msg := strings.ReplaceAll(yaml.FormatError(err, false, false), "\n", " ")
		return usageError("scenario %s: %s", path, truncate(msg, 300))
	}
	for _, f := range []*string{&into.Credentials, &into.Cookies} {
		if *f != "" && !filepath.IsAbs(*f) {
			*f = filepath.Join(filepath.Dir(path), *f)
		}
	}
	return nil
}

// maxScenarioBytes bounds a scenario file; real ones are a few KB.
const maxScenarioBytes = 1 << 20

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return data, nil
}

// checkAliases refuses an anchored node that itself holds an alias: that
// nesting is what lets a few hundred bytes expand to gigabytes (a billion
// laughs). Flat anchors and aliases stay allowed, and their expansion is
// bounded by the file size times the alias count.
func checkAliases(data []byte) error {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil // the decoder reports syntax errors with their position
	}
	for _, doc := range file.Docs {
		if doc == nil || doc.Body == nil {
			continue // a document of comments only (the walker would crash)
		}
		for _, n := range ast.Filter(ast.AnchorType, doc) {
			if inner := ast.Filter(ast.AliasType, n.(*ast.AnchorNode).Value); len(inner) > 0 {
				return fmt.Errorf("line %d: anchor holds an alias (line %d); nested aliases are not allowed",
					n.GetToken().Position.Line, inner[0].GetToken().Position.Line)
			}
		}
	}
	return nil
}

// parseShard reads `i/n` with 1 <= i <= n; an empty value and
// the Kubernetes Indexed Job variable JOB_COMPLETION_INDEX are handled by
// the caller. It returns a 0-based index.
func parseShard(s string) (int, int, error) {
	var i, n int
	if _, err := fmt.Sscanf(s, "%d/%d", &i, &n); err != nil || fmt.Sprintf("%d/%d", i, n) != s {
		return 0, 0, fmt.Errorf("--shard %q: want i/n, like 1/4", s)
	}
	if n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard %q: want 1 <= i <= n", s)
	}
	return i - 1, n, nil
}
