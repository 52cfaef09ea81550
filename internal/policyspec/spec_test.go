package policyspec

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec string
		want Spec
		str  string
	}{
		{"", Spec{RevokeOnReuse: true}, "strict"},
		{"strict", Spec{RevokeOnReuse: true}, "strict"},
		{" strict , reuse=reject ", Spec{}, "strict,reuse=reject"},
		{"grace=10s", Spec{Grace: 10 * time.Second, RevokeOnReuse: true}, "grace=10s"},
		{"grace=0s", Spec{RevokeOnReuse: true}, "strict"},
		{"grace=1m,dup=sibling", Spec{Grace: time.Minute, Dup: DupSibling, RevokeOnReuse: true}, "grace=1m0s,dup=sibling"},
		{"grace=500ms,dup=current-head,reuse=reject", Spec{Grace: 500 * time.Millisecond, Dup: DupCurrentHead}, "grace=500ms,dup=current-head,reuse=reject"},
		{"grace=5s,dup=same-child,reuse=revoke-family", Spec{Grace: 5 * time.Second, RevokeOnReuse: true}, "grace=5s"},
		{"strict,defect=zombie,defect=non-atomic", Spec{RevokeOnReuse: true, Defects: DefectZombie | DefectNonAtomic}, "strict,defect=non-atomic,defect=zombie"},
		{"strict,defect=zombie,zombie-after=2s", Spec{RevokeOnReuse: true, Defects: DefectZombie, ZombieAfter: 2 * time.Second}, "strict,defect=zombie,zombie-after=2s"},
		{"grace=3s,defect=grace-any-ancestor,defect=accept-rotated,defect=no-csrf,defect=csrf-consumes,defect=reuse-no-revoke",
			Spec{Grace: 3 * time.Second, RevokeOnReuse: true, Defects: DefectGraceAnyAncestor | DefectAcceptRotated | DefectNoCSRF | DefectCSRFConsumes | DefectReuseNoRevoke},
			"grace=3s,defect=reuse-no-revoke,defect=no-csrf,defect=csrf-consumes,defect=grace-any-ancestor,defect=accept-rotated"},
		{"strict,defect=revoke-on-concurrent-only,family-cap=5", Spec{RevokeOnReuse: true, Defects: DefectRevokeOnConcurrentOnly, FamilyCap: 5},
			"strict,defect=revoke-on-concurrent-only,family-cap=5"},
		{"grace=3s,dup=current-head,rotate=after-interval,reuse=reject,access=self-contained",
			Spec{Grace: 3 * time.Second, Dup: DupCurrentHead, Rotate: RotateAfterInterval, Access: AccessSelfContained},
			"grace=3s,dup=current-head,reuse=reject,rotate=after-interval,access=self-contained"},
		{"grace=10s,parent=any-age,access=revocable", Spec{Grace: 10 * time.Second, Parent: ParentAnyAge, Access: AccessRevocable, RevokeOnReuse: true},
			"grace=10s,parent=any-age,access=revocable"},
		{"strict,rotate=never", Spec{Rotate: RotateNever, RevokeOnReuse: true}, "strict,rotate=never"},
		{"server-a", Spec{RevokeOnReuse: true, Access: AccessRevocable, Defects: DefectRareFork}, "strict,defect=rare-fork,access=revocable"},
		{"server-b=1s", Spec{Grace: time.Second, Parent: ParentAnyAge, RevokeOnReuse: true, Access: AccessSelfContained, Defects: DefectAncestorFork, RevokeLag: time.Second},
			"grace=1s,defect=ancestor-fork,parent=any-age,access=self-contained,revoke-lag=1s"},
		{"server-c", Spec{Grace: 3 * time.Second, Dup: DupCurrentHead, Rotate: RotateAfterInterval, Access: AccessSelfContained, Defects: DefectReuseInvalidRequest, FamilyCap: 1},
			"grace=3s,dup=current-head,reuse=reject,defect=reuse-invalid-request,rotate=after-interval,access=self-contained,family-cap=1"},
	}
	for _, tc := range tests {
		got, err := Parse(tc.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.spec, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.spec, got, tc.want)
		}
		if got.String() != tc.str {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.spec, got.String(), tc.str)
		}
		again, err := Parse(got.String())
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
		{"strict,defect=flaky", "non-atomic|reuse-no-revoke|zombie|no-csrf|csrf-consumes|grace-any-ancestor|accept-rotated|revoke-on-concurrent-only"},
		{"strict,rotate=sometimes", "always|after-interval|never"},
		{"strict,rotate=after-interval", "needs grace"},
		{"strict,parent=any-age", "needs grace"},
		{"grace=1s,access=jwt", "revocable|self-contained"},
		{"server-a=1s", "server-a"},
		{"server-b=soon", "server-b=DURATION"},
		{"strict,colour=blue", "dup=, reuse=, rotate=, parent=, access=, defect="},
		{"strict,", `""`},
		{"strict,strict", "dup=, reuse="},
		{"strict,defect=zombie,zombie-after=0s", "positive duration"},
		{"strict,dup=sibling", "dup= needs grace"},
		{"strict,defect=grace-any-ancestor", "needs grace"},
		{"strict,zombie-after=1s", "needs defect=zombie"},
		{"strict,family-cap=0", "family-cap=N with N in 1.."},
		{"strict,family-cap=many", "family-cap=N"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.spec)
		if err == nil {
			t.Errorf("Parse(%q) accepted", tc.spec)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.wantIn) || strings.Contains(msg, "\n") {
			t.Errorf("Parse(%q) error %q, want one line containing %q", tc.spec, msg, tc.wantIn)
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

func TestServerOnly(t *testing.T) {
	for spec, want := range map[string]string{
		"grace=1s,dup=sibling,reuse=reject": "",
		"strict,defect=zombie":              "defect=zombie",
		"strict,family-cap=3":               "family-cap=",
	} {
		s, err := Parse(spec)
		if err != nil || s.ServerOnly() != want {
			t.Errorf("Parse(%q).ServerOnly() = %q, %v; want %q", spec, s.ServerOnly(), err, want)
		}
	}
}
