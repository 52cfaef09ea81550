package authserver

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestStrictReuseRevokesFamily(t *testing.T) {
	e := newEnv(t, "strict")
	s0 := e.signIn("user-0001")
	s1 := e.mustRotate(s0)
	expect(t, "replay", e.refresh(s0.refresh, s0.csrf), 401, ErrReused)
	expect(t, "head after reuse", e.refresh(s1.refresh, s1.csrf), 401, ErrInvalidSession)
	if e.sessionStatus(s1.access) != 401 || e.sessionStatus(s0.access) != 401 {
		t.Fatal("access survived revocation")
	}
	expect(t, "replay again", e.refresh(s0.refresh, s0.csrf), 401, ErrInvalidSession)
	e.clock.Advance(time.Hour)
	expect(t, "head much later", e.refresh(s1.refresh, s1.csrf), 401, ErrInvalidSession)
	if st := e.srv.Stats(); st.ReuseDetected != 1 || st.FamiliesRevoked != 1 || st.ActiveFamilies != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReuseRejectKeepsFamily(t *testing.T) {
	e := newEnv(t, "strict,reuse=reject")
	s0 := e.signIn("user-0001")
	s1 := e.mustRotate(s0)
	expect(t, "replay", e.refresh(s0.refresh, s0.csrf), 401, ErrReused)
	e.mustRotate(s1)
}

func TestGraceWindow(t *testing.T) {
	const G = 10 * time.Second
	tests := []struct {
		name   string
		spec   string
		setup  func(e *env, s0 sess) (present sess, head sess) // present a rotated token; head is the newest
		wait   time.Duration
		status int
		code   string
		check  func(t *testing.T, e *env, r reply, head sess)
	}{
		{
			name: "same child", spec: "grace=10s", wait: G, status: 200,
			setup: parentOf,
			check: func(t *testing.T, e *env, r reply, head sess) {
				if r.cookies[RefreshCookie].Value != head.refresh {
					t.Fatal("did not get the same child")
				}
				e.mustRotate(head)
			},
		},
		{
			name: "sibling", spec: "grace=10s,dup=sibling", wait: G / 2, status: 200,
			setup: parentOf,
			check: func(t *testing.T, e *env, r reply, head sess) {
				sib := r.cookies[RefreshCookie].Value
				if sib == head.refresh {
					t.Fatal("sibling equals the first child")
				}
				if n := e.srv.FamilyLiveHeads(head.family); n != 2 {
					t.Fatalf("live heads %d, want 2", n)
				}
				e.mustRotate(sess{refresh: sib, csrf: head.csrf})
				e.mustRotate(head) // both stay refreshable
			},
		},
		{
			name: "current head", spec: "grace=10s,dup=current-head", wait: time.Second, status: 200,
			setup: parentOf,
			check: func(t *testing.T, e *env, r reply, head sess) {
				if r.cookies[RefreshCookie].Value != head.refresh {
					t.Fatal("did not get the current head")
				}
				e.mustRotate(head)
			},
		},
		{
			name: "grandparent inside window", spec: "grace=10s", wait: time.Second, status: 401, code: ErrReused,
			setup: grandparentOf, check: revokedAfter,
		},
		{
			name: "parent after window", spec: "grace=10s", wait: G + time.Millisecond, status: 401, code: ErrReused,
			setup: parentOf, check: revokedAfter,
		},
		{
			name: "parent after window, reject", spec: "grace=10s,reuse=reject", wait: G + time.Second, status: 401, code: ErrReused,
			setup: parentOf,
			check: func(t *testing.T, e *env, _ reply, head sess) { e.mustRotate(head) },
		},
		{
			name: "any ancestor defect", spec: "grace=10s,defect=grace-any-ancestor", wait: time.Second, status: 200,
			setup: grandparentOf,
			check: func(t *testing.T, e *env, _ reply, head sess) { e.mustRotate(head) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.spec)
			present, head := tc.setup(e, e.signIn("user-0001"))
			e.clock.Advance(tc.wait)
			r := e.refresh(present.refresh, present.csrf)
			expect(t, "duplicate", r, tc.status, tc.code)
			tc.check(t, e, r, head)
		})
	}
}

func parentOf(e *env, s0 sess) (sess, sess) { return s0, e.mustRotate(s0) }

func grandparentOf(e *env, s0 sess) (sess, sess) { return s0, e.mustRotate(e.mustRotate(s0)) }

func revokedAfter(t *testing.T, e *env, _ reply, head sess) {
	t.Helper()
	expect(t, "head after reuse", e.refresh(head.refresh, head.csrf), 401, ErrInvalidSession)
	if e.sessionStatus(head.access) != 401 {
		t.Fatal("access survived revocation")
	}
}

// storm sends n concurrent refreshes of one token, released together over
// warm connections, and returns the replies.
func storm(t *testing.T, e *env, s sess, n int) []reply {
	t.Helper()
	var wg sync.WaitGroup
	warm := make(chan struct{})
	for range n { // open n connections
		wg.Go(func() {
			<-warm
			resp, err := e.hc.Get(e.url + "/warm")
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	close(warm)
	wg.Wait()
	start := make(chan struct{})
	out := make([]reply, n)
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", e.url+PathRefresh, nil)
			req.AddCookie(&http.Cookie{Name: RefreshCookie, Value: s.refresh})
			req.Header.Set(CSRFHeader, s.csrf)
			<-start
			resp, err := e.hc.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			out[i] = reply{status: resp.StatusCode, cookies: map[string]*http.Cookie{}}
			for _, c := range resp.Cookies() {
				out[i].cookies[c.Name] = c
			}
		})
	}
	close(start)
	wg.Wait()
	return out
}

func TestConcurrentRefreshAtomic(t *testing.T) {
	const n = 50
	for _, spec := range []string{"strict,reuse=reject", "strict"} {
		t.Run(spec, func(t *testing.T) {
			e := newEnv(t, spec)
			s := e.signIn("user-0001")
			var children []string
			for _, r := range storm(t, e, s, n) {
				if r.status == 200 {
					children = append(children, r.cookies[RefreshCookie].Value)
				} else if r.status != 401 {
					t.Fatalf("status %d", r.status)
				}
			}
			if len(children) != 1 {
				t.Fatalf("%d of %d concurrent refreshes succeeded, want 1", len(children), n)
			}
			st := e.srv.Stats()
			wantReuse := int64(n - 1) // strict: the first reuse revokes, later ones see a dead family
			if st.Rotations != 1 || st.ReuseDetected != wantReuse && (spec != "strict" || st.ReuseDetected < 1) {
				t.Fatalf("stats %+v", st)
			}
			child := e.refresh(children[0], s.csrf)
			if spec == "strict" {
				expect(t, "child after concurrent reuse", child, 401, ErrInvalidSession)
				return
			}
			expect(t, "child", child, 200, "")
			if h := e.srv.FamilyLiveHeads(s.family); h != 1 {
				t.Fatalf("live heads %d", h)
			}
		})
	}
}

func TestConcurrentRefreshGraceSameChild(t *testing.T) {
	e := newEnv(t, "grace=10s")
	s := e.signIn("user-0001")
	seen := map[string]bool{}
	for _, r := range storm(t, e, s, 20) {
		if r.status != 200 {
			t.Fatalf("duplicate inside grace got %d", r.status)
		}
		seen[r.cookies[RefreshCookie].Value] = true
	}
	if len(seen) != 1 || e.srv.FamilyLiveHeads(s.family) != 1 {
		t.Fatalf("%d distinct children, %d live heads", len(seen), e.srv.FamilyLiveHeads(s.family))
	}
}

func TestDefectNonAtomicForks(t *testing.T) {
	// The fork needs two requests inside the ~1 ms gap; on a loaded machine
	// one storm can miss it, so try a few fresh families.
	e := newEnv(t, "strict,reuse=reject,defect=non-atomic")
	for attempt := 1; ; attempt++ {
		s := e.signIn("user-0001")
		var children []string
		for _, r := range storm(t, e, s, 50) {
			if r.status == 200 {
				children = append(children, r.cookies[RefreshCookie].Value)
			}
		}
		if len(children) < 2 {
			if attempt < 5 {
				continue
			}
			t.Fatalf("%d concurrent refreshes succeeded, want a fork (> 1)", len(children))
		}
		if h := e.srv.FamilyLiveHeads(s.family); h != len(children) {
			t.Fatalf("live heads %d, want %d", h, len(children))
		}
		for _, c := range children { // every child is refreshable
			e.mustRotate(sess{refresh: c, csrf: s.csrf})
		}
		return
	}
}
