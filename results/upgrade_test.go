package results

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// The fixture testdata/v1 holds the two shards of a real v1 run (before
// the family states were split): `run --duration 1s --rate 20 --sessions 6
// --server-policy strict,defect=reuse-no-revoke --chaos replay=0.2:100ms
// --shard i/2`. The server never revokes, so every v1 "zombie" family is a
// revocation_missing one. Its results.bin files (vegeta's binary
// encoding) are left out: they are optional.
var v1Shards = []string{filepath.Join("testdata", "v1", "shard1"), filepath.Join("testdata", "v1", "shard2")}

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
	m, err := Merge(v1Shards, out, MergeOptions{})
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

// The merged events.csv of v1 shards has the weight column, 1 on every
// row, and every row of both shards.
func TestV1EventsGetWeightOne(t *testing.T) {
	out := filepath.Join(t.TempDir(), "merged")
	if _, err := Merge(v1Shards, out, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	rows := func(dir string) [][]string {
		f, err := os.Open(filepath.Join(dir, FileEvents))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		all, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return all
	}
	merged := rows(out)
	want := len(rows(v1Shards[0])) + len(rows(v1Shards[1])) - 1
	if len(merged) != want || strings.Join(merged[0], ",")+"\n" != eventsHeader {
		t.Fatalf("%d rows (want %d), header %v", len(merged), want, merged[0])
	}
	for _, r := range merged[1:] {
		if r[len(r)-1] != "1" {
			t.Fatalf("row %v: weight %q", r, r[len(r)-1])
		}
	}
}
