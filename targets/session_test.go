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

// Compact keeps every session's state and header, and every idle session
// idle; only the memory changes.
func TestCompactKeepsSessions(t *testing.T) {
	p, _ := NewCookieProfile(CookieConfig{BaseURL: "http://127.0.0.1:1"})
	pool := NewPool(3, p, NewFingerprinter())
	for i, s := range pool.Sessions() {
		s.Adopt(Family{ID: "f" + string(rune('a'+i)), Refresh: "r0", Access: "a0", CSRF: "c" + string(rune('a'+i))}, "fp", nowForTest)
		s.Rotate("r1", "a1", nowForTest.Add(time.Second))
		pool.Release(s)
	}
	before := make([]Session, 3)
	heads := make([]string, 3)
	for i, s := range pool.Sessions() {
		before[i] = *s
		heads[i] = s.Header().Get("Cookie")
	}
	pool.Compact()
	if pool.Idle() != 3 {
		t.Fatalf("%d idle after Compact", pool.Idle())
	}
	for i, s := range pool.Sessions() {
		b := before[i]
		a1, _ := s.Ancestor(1)
		if s.Index != i || s.FP() != b.FP() || s.Family != b.Family || s.Refresh != "r1" || s.Access != "a1" || s.CSRF != b.CSRF ||
			s.Generation != 1 || a1.Token != "r0" || !a1.RotatedAt.Equal(nowForTest.Add(time.Second)) {
			t.Errorf("session %d changed: %+v", i, s)
		}
		if h := s.Header(); h.Get("Cookie") != heads[i] || h.Get("X-CSRF-Token") != b.CSRF || h.Get(SessionHeader) != string(rune('0'+i)) {
			t.Errorf("session %d header %v", i, h)
		}
	}
}
