package authserver

import (
	"sync"
	"testing"
	"time"
)

func TestDefectReuseNoRevoke(t *testing.T) {
	e := newEnv(t, "strict,defect=reuse-no-revoke")
	s0 := e.signIn("user-0001")
	s1 := e.mustRotate(s0)
	expect(t, "replay", e.refresh(s0.refresh, s0.csrf), 401, ErrReused)
	if e.sessionStatus(s1.access) != 200 {
		t.Fatal("access died")
	}
	e.mustRotate(s1) // the family was not revoked
	if st := e.srv.Stats(); st.ReuseDetected != 1 || st.FamiliesRevoked != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestDefectZombie(t *testing.T) {
	for _, tc := range []struct {
		spec  string
		after time.Duration
	}{
		{"strict,defect=zombie", DefaultZombieAfter},
		{"strict,defect=zombie,zombie-after=2s", 2 * time.Second},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			e := newEnv(t, tc.spec)
			s0 := e.signIn("user-0001")
			s1 := e.mustRotate(s0)
			expect(t, "replay", e.refresh(s0.refresh, s0.csrf), 401, ErrReused)
			expect(t, "head right after", e.refresh(s1.refresh, s1.csrf), 401, ErrInvalidSession)
			e.clock.Advance(tc.after - time.Millisecond)
			if e.sessionStatus(s1.access) != 401 {
				t.Fatal("revived early")
			}
			e.clock.Advance(time.Millisecond)
			if e.sessionStatus(s1.access) != 200 {
				t.Fatal("access did not come back")
			}
			e.mustRotate(s1) // zombie
		})
	}
}

func TestDefectAcceptRotated(t *testing.T) {
	e := newEnv(t, "strict,defect=accept-rotated")
	s0 := e.signIn("user-0001")
	s1 := e.mustRotate(s0)
	e.clock.Advance(time.Hour)
	fork := e.mustRotate(s0)
	if fork.refresh == s1.refresh {
		t.Fatal("no new child")
	}
	if h := e.srv.FamilyLiveHeads(s0.family); h != 2 {
		t.Fatalf("live heads %d, want 2 (fork)", h)
	}
	e.mustRotate(s1)
	e.mustRotate(fork)
	if st := e.srv.Stats(); st.ReuseDetected != 0 || st.FamiliesRevoked != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPruneKeepsRecentAncestors(t *testing.T) {
	e := newEnv(t, "strict,reuse=reject")
	s := e.signIn("user-0001")
	old := s
	for range 40 {
		s = e.mustRotate(s)
	}
	e.clock.Advance(3 * time.Minute) // past retention (2 × 1 min)
	var recent []sess
	for range 30 {
		recent = append(recent, s)
		s = e.mustRotate(s)
	}
	f, _ := e.srv.fams.get(mustFamKey(t, s.family))
	f.mu.Lock()
	n := len(f.chain)
	f.mu.Unlock()
	if n > 40 {
		t.Fatalf("chain has %d tokens after pruning", n)
	}
	expect(t, "pruned ancestor", e.refresh(old.refresh, old.csrf), 401, ErrInvalidSession)
	expect(t, "recent ancestor", e.refresh(recent[len(recent)-minAncestors].refresh, s.csrf), 401, ErrReused)
	e.mustRotate(s)
}

func TestSweepDropsDeadFamilies(t *testing.T) {
	e := newEnv(t, "strict", func(c *Config) { c.RefreshTTL = time.Hour })
	gone := e.signIn("user-0001")
	keep := e.signIn("user-0002")
	so := e.do("POST", PathSignOut, "", map[string]string{RefreshCookie: gone.refresh}, map[string]string{CSRFHeader: gone.csrf})
	expect(t, "sign-out", so, 200, "")
	e.clock.Advance(3 * time.Minute)
	e.srv.sweep(e.clock.Now().UnixNano())
	if _, ok := e.srv.fams.get(mustFamKey(t, gone.family)); ok {
		t.Fatal("revoked family not swept")
	}
	expect(t, "swept token", e.refresh(gone.refresh, gone.csrf), 401, ErrInvalidSession)
	keep = e.mustRotate(keep)

	e.clock.Advance(time.Hour) // keep expires
	e.srv.maybeSweep(e.clock.Now().UnixNano())
	e.srv.bg.Wait()
	if _, ok := e.srv.fams.get(mustFamKey(t, keep.family)); ok {
		t.Fatal("expired family not swept")
	}
	if st := e.srv.Stats(); st.ActiveFamilies != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func mustFamKey(t *testing.T, id string) famKey {
	t.Helper()
	k, ok := parseFamID(id)
	if !ok {
		t.Fatalf("bad family id %q", id)
	}
	return k
}

func TestDefectRevokeOnConcurrentOnly(t *testing.T) {
	e := newEnv(t, "strict,defect=revoke-on-concurrent-only")
	// Sequential reuse: rejected by the pre-check, nothing revoked.
	s0 := e.signIn("user-0001")
	s1 := e.mustRotate(s0)
	expect(t, "replay", e.refresh(s0.refresh, s0.csrf), 401, ErrReused)
	if e.sessionStatus(s1.access) != 200 {
		t.Fatal("sequential reuse revoked the access cookie")
	}
	e.mustRotate(s1)
	if st := e.srv.Stats(); st.FamiliesRevoked != 0 {
		t.Fatalf("sequential reuse revoked a family: %+v", st)
	}
	// Concurrent duplicates: both pass the pre-check, the loser revokes.
	revoked := 0
	for range 5 {
		s := e.signIn("user-0002")
		var wg sync.WaitGroup
		start := make(chan struct{})
		var r [2]reply
		for i := range r {
			wg.Add(1)
			go func() { defer wg.Done(); <-start; r[i] = e.refresh(s.refresh, s.csrf) }()
		}
		close(start)
		wg.Wait()
		if r[0].status == 200 && r[1].status == 200 {
			t.Fatal("both duplicates accepted")
		}
		if e.sessionStatus(s.access) == 401 {
			revoked++
		}
	}
	if revoked == 0 {
		t.Fatal("no concurrent duplicate revoked its family in 5 bursts")
	}
}

func TestFamilyCapFromPolicy(t *testing.T) {
	e := newEnv(t, "strict,family-cap=2")
	a, b, c := e.signIn("user-0001"), e.signIn("user-0001"), e.signIn("user-0001")
	expect(t, "evicted", e.refresh(a.refresh, a.csrf), 401, ErrInvalidSession)
	e.mustRotate(b)
	e.mustRotate(c)
}
