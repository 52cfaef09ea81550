package attack

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// TestOneIncidentOneFailure: a reuse the server rejects without revoking
// is one fail_revocation_missing, however many follow-up requests found it
// out, and its detail names what survived; a fork of a 3-request burst is
// one fail_fork row with its count, not one per extra child.
func TestOneIncidentOneFailure(t *testing.T) {
	cases := []struct {
		name, server, chaos string
		want                oracle.Outcome
		state               oracle.FamilyState
		detail              string
	}{
		{"revocation missing", "strict,defect=reuse-no-revoke", "replay=0.3:100ms", oracle.FailRevocationMissing,
			oracle.FamilyRevocationMissing, "the newest refresh token and the access credential still work"},
		{"fork", "strict,defect=non-atomic", "concurrent=0.3:3", oracle.FailFork,
			oracle.FamilyForked, "3 concurrent refreshes of one token left"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "run")
			out := runAgainstAuthserver(t, runSpec{serverPolicy: c.server, declared: "strict", chaos: c.chaos,
				sessions: 20, rate: 40, duration: 1500 * time.Millisecond, probeMargin: 200 * time.Millisecond, dir: dir})
			sum := out.summary
			t.Logf("outcomes %v families %v injected %v", nonZero(sum.Outcomes[:]), sum.Families, sum.Chaos.Injected)
			got := sum.Outcomes[c.want]
			if got == 0 {
				t.Fatalf("no %s", c.want)
			}
			// Every incident ends its family in one state: one failure each.
			if fam := sum.Families[c.state]; fam != got {
				t.Errorf("%s = %d, but %d families ended %s", c.want, got, fam, c.state)
			}
			if c.want == oracle.FailRevocationMissing && sum.Outcomes[oracle.RejReuse] != got {
				t.Errorf("%d reuses rejected, %d revocation failures: want one per rejected reuse", sum.Outcomes[oracle.RejReuse], got)
			}
			rows := failureRows(t, dir, c.want)
			if uint64(len(rows)) != got {
				t.Errorf("events.csv has %d %s rows, summary %d", len(rows), c.want, got)
			}
			perFamily := map[string]int{}
			for _, r := range rows {
				perFamily[r.family]++
				if !strings.Contains(r.detail, c.detail) {
					t.Errorf("detail %q does not say %q", r.detail, c.detail)
				}
			}
			for fam, n := range perFamily {
				if n > 1 {
					t.Errorf("family %s has %d %s rows, want one per incident", fam, n, c.want)
				}
			}
			for _, f := range out.rec.Snapshot(time.Now()).RecentFailures {
				if f.Outcome == c.want && !strings.Contains(f.Detail, c.detail) {
					t.Errorf("recent failure %q", f.Detail)
				}
			}
		})
	}
}

type failureRow struct{ family, detail string }

// failureRows reads the events.csv rows of outcome.
func failureRows(t *testing.T, dir string, outcome oracle.Outcome) []failureRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, results.FileEvents))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []failureRow
	for _, r := range all[1:] {
		if r[7] == outcome.String() {
			out = append(out, failureRow{family: r[3], detail: r[10]})
		}
	}
	return out
}
