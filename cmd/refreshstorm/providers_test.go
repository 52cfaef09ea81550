package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// TestProviderScenariosLoad: every provider file loads as a scenario,
// builds its profile and declares a policy the oracle reads, and says
// that it was not run against the real provider.
func TestProviderScenariosLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "providers", "*.yaml"))
	if err != nil || len(files) < 6 {
		t.Fatalf("provider files %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			sc := defaultScenario()
			if err := loadScenario(f, &sc); err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(f)
			if !strings.Contains(string(raw), "NOT RUN against a real") {
				t.Error("file does not say whether it was run")
			}
			if sc.Profile.ClientSecretEnv != "" {
				t.Setenv(sc.Profile.ClientSecretEnv, "test-secret")
			}
			if sc.Profile.Kind == "" || sc.Profile.Kind == targets.KindCookie {
				t.Errorf("kind %q: want a token profile", sc.Profile.Kind)
			}
			if _, err := targets.NewProfile(sc.Profile, sc.Target); err != nil {
				t.Errorf("profile: %v", err)
			}
			if _, err := oracle.ParsePolicy(sc.Policy); err != nil {
				t.Errorf("policy: %v", err)
			}
		})
	}
}

// TestProbeTokenProfileCLI: probe --profile oauth2 against the embedded
// server's server-a preset reads it as strict over the token endpoint.
func TestProbeTokenProfileCLI(t *testing.T) {
	code, stdout, stderr := execCLI(t, context.Background(), "probe", "--profile", "oauth2", "--server-policy", "server-a",
		"--max-delay", "300ms", "--rounds", "1", "--json")
	if code != exitPass && code != exitFailed {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var fp struct {
		Profile, Rotation string
		AccessTokens      string `json:"access_tokens"`
		Grace             struct{ Kind string }
	}
	if err := json.Unmarshal([]byte(stdout), &fp); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if fp.Profile != "oauth2" || fp.Rotation != "every_refresh" || fp.AccessTokens != "revocable" || fp.Grace.Kind != "strict" {
		t.Fatalf("fingerprint %+v", fp)
	}
	if strings.Contains(stdout+stderr, "refreshstorm-demo-secret") {
		t.Fatal("the client secret reached the output")
	}
}
