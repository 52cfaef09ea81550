package results

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// The fixture testdata/v1 holds the two shards of a real v1 run (before
// the family states were split): `run --duration 1s --rate 20 --sessions 6
// --server-policy strict,defect=reuse-no-revoke --chaos replay=0.2:100ms
// --shard i/2`. The server never revokes, so every v1 "zombie" family is a
// revocation_missing one. Its results.bin files (vegeta's binary
// encoding) are left out of the repository; copyV1 gives each shard an
// empty one, which merge reads as no records.
var v1Shards = []string{filepath.Join("testdata", "v1", "shard1"), filepath.Join("testdata", "v1", "shard2")}

// copyV1 copies the v1 shards into a temporary directory, each with an
// empty results.bin.
func copyV1(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, src := range v1Shards {
		dst := filepath.Join(t.TempDir(), filepath.Base(src))
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, FileResultsBin), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, dst)
	}
	return out
}

func TestV1SummaryIsUpgraded(t *testing.T) {
	wantMissing := []uint64{1, 4}
	for i, dir := range v1Shards {
		raw, err := os.ReadFile(filepath.Join(dir, FileSummaryJSON))
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			Schema   string            `json:"schema"`
			Families map[string]uint64 `json:"families"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			t.Fatal(err)
		}
		if head.Schema != SchemaSummaryV1 || head.Families["zombie"] != wantMissing[i] {
			t.Fatalf("fixture %s: schema %q zombie %d", dir, head.Schema, head.Families["zombie"])
		}
		l, err := LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		s := l.Summary
		if s.Schema != SchemaSummary || s.UpgradedFrom != SchemaSummaryV1 {
			t.Errorf("schema %q upgraded from %q", s.Schema, s.UpgradedFrom)
		}
		if s.Families[oracle.FamilyRevocationMissing] != wantMissing[i] || s.Families[oracle.FamilyZombie] != 0 {
			t.Errorf("%s: families %v, want %d revocation_missing and no zombie", dir, s.Families, wantMissing[i])
		}
		if s.Families[oracle.FamilyHealthy] != 3 {
			t.Errorf("%s: healthy %d", dir, s.Families[oracle.FamilyHealthy])
		}
	}
}

func TestV1ShardsMerge(t *testing.T) {
	out := filepath.Join(t.TempDir(), "merged")
	m, err := Merge(copyV1(t), out, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Schema != SchemaSummary || m.Families[oracle.FamilyRevocationMissing] != 5 || m.Families[oracle.FamilyZombie] != 0 {
		t.Fatalf("merged schema %q families %v", m.Schema, m.Families)
	}
	back, err := LoadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Summary.Schema != SchemaSummary || back.Summary.Families != m.Families || back.Summary.Outcomes[oracle.FailRevocationMissing] != 10 {
		t.Fatalf("merged directory reads back as %q %v %v", back.Summary.Schema, back.Summary.Families, back.Summary.Outcomes)
	}
}

func TestV1SplitWithBothOutcomes(t *testing.T) {
	s := &Summary{Schema: SchemaSummaryV1}
	s.Families[oracle.FamilyZombie] = 5
	s.Outcomes[oracle.FailRevocationMissing] = 2
	s.Outcomes[oracle.FailZombieFamily] = 6
	upgradeV1(s)
	if s.Families[oracle.FamilyRevocationMissing] != 2 || s.Families[oracle.FamilyZombie] != 3 {
		t.Fatalf("families %v", s.Families)
	}
}

// A v1 baseline compares with a v2 run of the same scenario: the schemas
// do not make them incomparable once the v1 one is upgraded.
func TestV1ComparesWithV2(t *testing.T) {
	base, err := LoadDir(v1Shards[0])
	if err != nil {
		t.Fatal(err)
	}
	cur, err := LoadDir(v1Shards[0])
	if err != nil {
		t.Fatal(err)
	}
	cur.Summary.Schema, cur.Summary.UpgradedFrom = SchemaSummary, ""
	c := Compare(v1Shards[0], base.Summary, v1Shards[0], cur.Summary, CompareOptions{})
	if len(c.Problems) > 0 {
		t.Fatalf("problems: %v", c.Problems)
	}
}
