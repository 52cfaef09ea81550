package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The shipped workflow must refer to a scenario that exists and loads.
func TestWorkflowExampleScenarioLoads(t *testing.T) {
	root := filepath.Join("..", "..")
	wf, err := os.ReadFile(filepath.Join(root, "examples", "github-actions", "nightly.yml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`--config (\S+)`).FindSubmatch(wf)
	if m == nil {
		t.Fatal("workflow has no --config")
	}
	sc := defaultScenario()
	if err := loadScenario(filepath.Join(root, string(m[1])), &sc); err != nil {
		t.Fatalf("%s: %v", m[1], err)
	}
	if sc.Target == "" || len(sc.Thresholds) == 0 || sc.Credentials != "" {
		t.Fatalf("%s: want a target and thresholds and no credentials in the file, got %+v", m[1], sc)
	}
}
