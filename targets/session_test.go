package targets

import (
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

type vegetaTarget = vegeta.Target

var nowForTest = time.Unix(1_700_000_000, 0)

func TestSessionRotationKeepsAncestors(t *testing.T) {
	p, _ := NewCookieProfile(CookieConfig{BaseURL: "http://127.0.0.1:1"})
	pool := NewPool(1, p, NewFingerprinter())
	s := pool.Session(0)
	s.Adopt(Family{ID: "f", Refresh: "r0", Access: "a0", CSRF: "c"}, "fp", nowForTest)
	old := s.Header().Clone()
	for i := 1; i <= MaxAncestors+2; i++ {
		s.Rotate("r"+string(rune('0'+i)), "", nowForTest.Add(time.Duration(i)*time.Second))
	}
	if s.Generation != MaxAncestors+2 || s.Ancestors() != MaxAncestors {
		t.Fatalf("generation %d ancestors %d", s.Generation, s.Ancestors())
	}
	if a, _ := s.Ancestor(1); a.Token != "r5" {
		t.Fatalf("parent %q", a.Token)
	}
	if old.Get("Cookie") != "__Host-refresh=r0" {
		t.Fatalf("a copied header changed: %q", old.Get("Cookie"))
	}
	if got := s.Header().Get("Cookie"); got != "__Host-refresh=r6" || s.Header().Get("X-CSRF-Token") != "c" {
		t.Fatalf("header %v", s.Header())
	}
}
