package authserver

import (
	"strings"
	"testing"
	"time"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		spec string
		want Policy
		str  string
	}{
		{"", Policy{RevokeOnReuse: true}, "strict"},
		{"strict", Policy{RevokeOnReuse: true}, "strict"},
		{" strict , reuse=reject ", Policy{}, "strict,reuse=reject"},
		{"grace=10s", Policy{Grace: 10 * time.Second, RevokeOnReuse: true}, "grace=10s"},
		{"grace=0s", Policy{RevokeOnReuse: true}, "strict"},
		{"grace=1m,dup=sibling", Policy{Grace: time.Minute, Dup: DupSibling, RevokeOnReuse: true}, "grace=1m0s,dup=sibling"},
		{"grace=500ms,dup=current-head,reuse=reject", Policy{Grace: 500 * time.Millisecond, Dup: DupCurrentHead}, "grace=500ms,dup=current-head,reuse=reject"},
		{"grace=5s,dup=same-child,reuse=revoke-family", Policy{Grace: 5 * time.Second, RevokeOnReuse: true}, "grace=5s"},
		{"strict,defect=zombie,defect=non-atomic", Policy{RevokeOnReuse: true, Defects: DefectZombie | DefectNonAtomic}, "strict,defect=non-atomic,defect=zombie"},
		{"strict,defect=zombie,zombie-after=2s", Policy{RevokeOnReuse: true, Defects: DefectZombie, ZombieAfter: 2 * time.Second}, "strict,defect=zombie,zombie-after=2s"},
		{"grace=3s,defect=grace-any-ancestor,defect=accept-rotated,defect=no-csrf,defect=csrf-consumes,defect=reuse-no-revoke",
			Policy{Grace: 3 * time.Second, RevokeOnReuse: true, Defects: DefectGraceAnyAncestor | DefectAcceptRotated | DefectNoCSRF | DefectCSRFConsumes | DefectReuseNoRevoke},
			"grace=3s,defect=reuse-no-revoke,defect=no-csrf,defect=csrf-consumes,defect=grace-any-ancestor,defect=accept-rotated"},
	}
	for _, tc := range tests {
		got, err := ParsePolicy(tc.spec)
		if err != nil {
			t.Errorf("ParsePolicy(%q): %v", tc.spec, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParsePolicy(%q) = %+v, want %+v", tc.spec, got, tc.want)
		}
		if got.String() != tc.str {
			t.Errorf("ParsePolicy(%q).String() = %q, want %q", tc.spec, got.String(), tc.str)
		}
		again, err := ParsePolicy(got.String())
		if err != nil || again != got {
			t.Errorf("round trip of %q: %+v, %v", got.String(), again, err)
		}
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct{ spec, wantIn string }{
		{"lenient", "strict or grace=DURATION"},
		{"grace", "strict or grace=DURATION"},
		{"grace=soon", "non-negative duration"},
		{"grace=-1s", "non-negative duration"},
		{"reuse=reject", "strict or grace=DURATION"},
		{"grace=1s,dup=twin", "same-child|sibling|current-head"},
		{"grace=1s,reuse=ignore", "revoke-family|reject"},
		{"strict,defect=flaky", "non-atomic|reuse-no-revoke|zombie|no-csrf|csrf-consumes|grace-any-ancestor|accept-rotated"},
		{"strict,colour=blue", "dup=, reuse=, defect=, zombie-after="},
		{"strict,", `""`},
		{"strict,strict", "dup=, reuse="},
		{"strict,defect=zombie,zombie-after=0s", "positive duration"},
		{"strict,dup=sibling", "dup= needs grace"},
		{"strict,defect=grace-any-ancestor", "needs grace"},
		{"strict,zombie-after=1s", "needs defect=zombie"},
	}
	for _, tc := range tests {
		_, err := ParsePolicy(tc.spec)
		if err == nil {
			t.Errorf("ParsePolicy(%q) accepted", tc.spec)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.wantIn) || strings.Contains(msg, "\n") {
			t.Errorf("ParsePolicy(%q) error %q, want one line containing %q", tc.spec, msg, tc.wantIn)
		}
	}
}

func TestDefectString(t *testing.T) {
	if DefectNone.String() != "none" || (DefectZombie|DefectNoCSRF).String() != "zombie+no-csrf" {
		t.Fatal((DefectZombie | DefectNoCSRF).String())
	}
	if DefectNonAtomic != 2 || DefectAcceptRotated != 128 {
		t.Fatal("defect bit values changed")
	}
}
