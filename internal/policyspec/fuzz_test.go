package policyspec

import (
	"strings"
	"testing"
)

// FuzzParse checks the grammar's contract on any input: no panic, errors
// are one line, and an accepted spec renders to a string that parses back
// to the same Spec (so --policy and --server-policy round-trip).
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "strict", "grace=10s", "grace=1m,dup=sibling,reuse=reject",
		"strict,defect=zombie,zombie-after=2s", "strict,defect=revoke-on-concurrent-only,family-cap=5",
		"grace=3s,defect=grace-any-ancestor", "strict,,", "grace=-1s", "strict,family-cap=99999999999999999999",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := Parse(spec)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error for %q: %q", spec, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse(%q) = %+v fails Validate: %v", spec, s, err)
		}
		back, err := Parse(s.String())
		if err != nil || back != s {
			t.Fatalf("round trip of %q via %q: %+v, %v; want %+v", spec, s.String(), back, err, s)
		}
	})
}
