package authserver

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
)

const maxSignInBody = 64 << 10

func csrfEqual(got, want string) bool {
	return len(got) == len(want) && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func csrfHeader(r *http.Request) string {
	if v := r.Header[canonicalCSRFHeader]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (s *Server) lookupRefresh(text string) *token {
	k, ok := refreshKey(text)
	if !ok {
		return nil
	}
	t, _ := s.tokens.get(k)
	return t
}

// sessionFamily returns the live family named by the request's refresh
// cookie (rotated or not) or, failing that, by its access cookie.
func (s *Server) sessionFamily(r *http.Request, now int64) *family {
	if t := s.lookupRefresh(cookieValue(r, RefreshCookie)); t != nil && s.alive(t.fam, now) {
		return t.fam
	}
	if f, _ := s.accessFamily(r, now); f != nil {
		return f
	}
	return nil
}

// accessFamily returns the live family of the request's access cookie and
// the cookie's expiry.
func (s *Server) accessFamily(r *http.Request, now int64) (*family, int64) {
	fk, exp, ok := s.parseAccessToken(cookieValue(r, AccessCookie))
	if !ok || now >= exp {
		return nil, 0
	}
	if f, ok := s.fams.get(fk); ok && s.alive(f, now) {
		return f, exp
	}
	return nil, 0
}

func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	s.st.refreshes.Add(1)
	if !s.admitRefresh(r.Context()) {
		return // the client gave up while queued
	}
	now := s.nowNs()
	s.maybeSweep(now)
	text := cookieValue(r, RefreshCookie)
	csrf := csrfHeader(r)
	checkCSRF := !s.has(DefectNoCSRF)
	if checkCSRF && csrf == "" {
		s.st.csrfRejected.Add(1)
		if s.has(DefectCSRFConsumes) {
			if t := s.lookupRefresh(text); t != nil {
				s.csrfConsume(t, now)
			}
		}
		writeError(w, http.StatusForbidden, ErrCSRFRequired)
		return
	}
	t := s.lookupRefresh(text)
	if t == nil {
		writeError(w, http.StatusUnauthorized, ErrInvalidSession)
		return
	}
	f := t.fam
	f.inflight.Add(1)
	defer f.inflight.Add(-1)
	if checkCSRF && !csrfEqual(csrf, f.csrf) {
		s.st.csrfRejected.Add(1)
		if s.has(DefectCSRFConsumes) {
			s.csrfConsume(t, now)
		}
		writeError(w, http.StatusForbidden, ErrInvalidCSRF)
		return
	}
	if s.has(DefectRevokeOnConcurrentOnly) && s.prechecked(t, now) {
		writeError(w, http.StatusUnauthorized, ErrReused)
		return
	}
	out, raw := s.refresh(t, now)
	s.commitPause(out)
	switch out {
	case outDead:
		writeError(w, http.StatusUnauthorized, ErrInvalidSession)
	case outReuse:
		writeError(w, http.StatusUnauthorized, ErrReused)
	default:
		accessExp := now + s.accessTTL
		setSessionCookies(w, s.newAccessToken(f.key, accessExp), accessExp, raw, f.refreshExp, now)
		bp := getBuf()
		b := append(*bp, `{"ok":true,"action":"refresh","refreshed":true,`...)
		b = appendSession(b, f.id, accessExp, f.refreshExp)
		b = append(b, '}')
		writeJSON(w, http.StatusOK, b)
		*bp = b
		putBuf(bp)
	}
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSignInBody)).Decode(&req); err != nil ||
		req.Identifier == "" || req.Password == "" {
		writeError(w, http.StatusBadRequest, ErrInvalidRequest)
		return
	}
	u := s.users[req.Identifier]
	if u == nil || subtle.ConstantTimeCompare([]byte(req.Password), []byte(u.password)) != 1 {
		writeError(w, http.StatusUnauthorized, ErrInvalidCredentials)
		return
	}
	now := s.nowNs()
	f, raw := s.newFamily(u, now)
	accessExp := now + s.accessTTL
	setSessionCookies(w, s.newAccessToken(f.key, accessExp), accessExp, raw, f.refreshExp, now)
	b := append(make([]byte, 0, 256), `{"ok":true,"action":"sign_in","authenticated":true,`...)
	b = appendUser(b, u.id)
	b = append(b, ',')
	b = appendSession(b, f.id, accessExp, f.refreshExp)
	writeJSON(w, http.StatusOK, append(b, '}'))
}

// newFamily signs u in: a new family with its first refresh token.
func (s *Server) newFamily(u *user, now int64) (*family, string) {
	s.maybeSweep(now)
	f := &family{key: newFamKey(), user: u, refreshExp: now + s.refreshTTL, active: true, compactAt: minCompactAt}
	f.id = f.key.String()
	f.csrf = s.csrfToken(f.id)
	f.mu.Lock()
	raw := s.mintLocked(f, nil, now)
	f.mu.Unlock()
	s.fams.put(f.key, f)
	s.st.signIns.Add(1)
	s.st.activeFamilies.Add(1)
	s.admit(u, f, now)
	return f, raw
}

// admit adds f to its user's families, revoking the oldest ones beyond the
// family cap.
func (s *Server) admit(u *user, f *family, now int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	kept := u.fams[:0]
	for _, g := range u.fams {
		g.mu.Lock()
		dead := g.revoked || g.purged || now >= g.refreshExp
		g.mu.Unlock()
		if !dead {
			kept = append(kept, g)
		}
	}
	clear(u.fams[len(kept):])
	drop := max(len(kept)+1-s.cfg.FamilyCap, 0)
	for _, g := range kept[:drop] {
		g.mu.Lock()
		s.revokeLocked(g, now)
		g.mu.Unlock()
	}
	u.fams = append(append(u.fams[:0], kept[drop:]...), f)
}

func (s *Server) handleCSRF(w http.ResponseWriter, r *http.Request) {
	f := s.sessionFamily(r, s.nowNs())
	if f == nil {
		writeError(w, http.StatusUnauthorized, ErrInvalidSession)
		return
	}
	b := append(make([]byte, 0, 96), `{"ok":true,"csrf_token":"`...)
	b = append(b, f.csrf...)
	writeJSON(w, http.StatusOK, append(b, `"}`...))
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	f, exp := s.accessFamily(r, s.nowNs())
	if f == nil {
		writeError(w, http.StatusUnauthorized, ErrInvalidSession)
		return
	}
	b := append(make([]byte, 0, 256), `{"ok":true,"authenticated":true,`...)
	b = appendUser(b, f.user.id)
	b = append(b, ',')
	b = appendSession(b, f.id, exp, f.refreshExp)
	writeJSON(w, http.StatusOK, append(b, '}'))
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	now := s.nowNs()
	csrf := csrfHeader(r)
	if csrf == "" {
		s.st.csrfRejected.Add(1)
		writeError(w, http.StatusForbidden, ErrCSRFRequired)
		return
	}
	f := s.sessionFamily(r, now)
	if f == nil {
		writeError(w, http.StatusUnauthorized, ErrInvalidSession)
		return
	}
	if !csrfEqual(csrf, f.csrf) {
		s.st.csrfRejected.Add(1)
		writeError(w, http.StatusForbidden, ErrInvalidCSRF)
		return
	}
	f.mu.Lock()
	dead := s.deadLocked(f, now)
	if !dead {
		s.revokeLocked(f, now)
	}
	f.mu.Unlock()
	if dead {
		writeError(w, http.StatusUnauthorized, ErrInvalidSession)
		return
	}
	setSessionCookies(w, "", 0, "", 0, now)
	writeJSON(w, http.StatusOK, []byte(`{"ok":true,"action":"sign_out"}`))
}
