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

// The workflow can publish its JUnit check run and cannot hang for six
// hours, and the README shows it as shipped.
func TestWorkflowExamplePermissionsAndREADME(t *testing.T) {
	root := filepath.Join("..", "..")
	wf, err := os.ReadFile(filepath.Join(root, "examples", "github-actions", "nightly.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"checks: write", "timeout-minutes:"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).Match(wf) {
			t.Errorf("nightly.yml lacks %q", want)
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(regexp.QuoteMeta("```yaml\n" + string(wf) + "```")).Match(readme) {
		t.Error("README.md does not show examples/github-actions/nightly.yml as shipped")
	}
}
