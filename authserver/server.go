// Package authserver is the embedded reference target: the cookie refresh
// protocol in memory, with selectable rotation policies and named defects.
package authserver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Endpoint paths.
const (
	PathSignIn  = "/api/auth/sign-in"
	PathCSRF    = "/api/auth/csrf"
	PathRefresh = "/api/auth/refresh"
	PathSession = "/api/auth/session"
	PathSignOut = "/api/auth/sign-out"
)

// Server is the in-memory auth server; it implements http.Handler.
type Server struct {
	cfg       Config
	pol       Policy
	now       func() time.Time
	users     map[string]*user
	tokens    *shardMap[tokenKey, *token]
	fams      *shardMap[famKey, *family]
	csrfMAC   *macer
	accessMAC *macer

	accessTTL    int64
	refreshTTL   int64
	retention    int64 // ns a rotated token is kept (beyond the last minAncestors)
	zombieAfter  int64 // ns; 0 unless DefectZombie
	keepChildRaw bool

	rareForks atomic.Int64 // raced duplicates seen under DefectRareFork
	lastSweep atomic.Int64
	thr       *throttle // capacity model; nil = unbounded
	bg        sync.WaitGroup
	st        counters
}

// New returns a Server for cfg, with defaults filled in.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("authserver: %w", err)
	}
	secret := cfg.Secret
	if secret == nil {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	ak := hmac.New(sha256.New, secret)
	ak.Write([]byte("refreshstorm/authserver/access-token"))
	p := cfg.Policy
	s := &Server{
		cfg:          cfg,
		pol:          p,
		now:          cfg.Now,
		users:        make(map[string]*user, len(cfg.Users)),
		tokens:       newShardMap[tokenKey, *token](),
		fams:         newShardMap[famKey, *family](),
		csrfMAC:      newMacer(secret),
		accessMAC:    newMacer(ak.Sum(nil)),
		accessTTL:    int64(cfg.AccessTTL),
		refreshTTL:   int64(cfg.RefreshTTL),
		retention:    2 * max(int64(p.Grace), minRetentionNs),
		keepChildRaw: p.Grace > 0 && p.Dup == DupSameChild,
	}
	if p.Defects&DefectZombie != 0 {
		s.zombieAfter = int64(p.ZombieAfter)
	}
	for id, pw := range cfg.Users {
		s.users[id] = &user{id: id, password: pw}
	}
	s.thr = newThrottle(p)
	s.lastSweep.Store(s.nowNs())
	return s, nil
}

// Policy returns the server's policy (ZombieAfter defaulted).
func (s *Server) Policy() Policy { return s.pol }

func (s *Server) nowNs() int64 { return s.now().UnixNano() }

func (s *Server) has(d Defect) bool { return s.pol.Defects&d != 0 }

// ServeHTTP routes the cookie, OAuth 2.0 and JSON endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var want string
	var h func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case PathRefresh:
		want, h = http.MethodPost, s.handleRefresh
	case PathSignIn:
		want, h = http.MethodPost, s.handleSignIn
	case PathCSRF:
		want, h = http.MethodGet, s.handleCSRF
	case PathSession:
		want, h = http.MethodGet, s.handleSession
	case PathSignOut:
		want, h = http.MethodPost, s.handleSignOut
	case PathToken:
		want, h = http.MethodPost, s.handleToken
	case PathIntrospect:
		want, h = http.MethodPost, s.handleIntrospect
	case PathUserinfo:
		want, h = http.MethodGet, s.handleUserinfo
	case PathMetadata:
		want, h = http.MethodGet, s.handleMetadata
	case PathJSONSignIn:
		want, h = http.MethodPost, s.handleJSONSignIn
	case PathJSONRefresh:
		want, h = http.MethodPost, s.handleJSONRefresh
	case PathJSONMe:
		want, h = http.MethodGet, s.handleUserinfo
	default:
		writeError(w, http.StatusNotFound, ErrNotFound)
		return
	}
	if r.Method != want {
		w.Header().Set("Allow", want)
		writeError(w, http.StatusMethodNotAllowed, ErrMethodNotAllowed)
		return
	}
	h(w, r)
}

// Stats are the server's counters.
type Stats struct {
	SignIns         int64 // successful sign-ins
	Refreshes       int64 // refresh requests received, whatever their outcome
	Rotations       int64 // refresh tokens minted by refresh (rotations, siblings, forks, CSRF-consumed)
	GraceAccepted   int64 // rotated tokens accepted inside the grace window
	ReuseDetected   int64 // refresh_token_reused answers
	FamiliesRevoked int64 // revocations (reuse, family cap, sign-out)
	CSRFRejected    int64 // 403 answers on refresh and sign-out
	ActiveFamilies  int64 // families signed in and not yet revoked or swept as expired
	// RacedDuplicates counts reuses that met another refresh of their
	// family in flight, the chance DefectRareFork forks on.
	RacedDuplicates int64
}

type counters struct {
	signIns, refreshes, rotations, grace, reuse, familiesRevoked, csrfRejected, activeFamilies atomic.Int64
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	return Stats{
		SignIns:         s.st.signIns.Load(),
		Refreshes:       s.st.refreshes.Load(),
		Rotations:       s.st.rotations.Load(),
		GraceAccepted:   s.st.grace.Load(),
		ReuseDetected:   s.st.reuse.Load(),
		FamiliesRevoked: s.st.familiesRevoked.Load(),
		CSRFRejected:    s.st.csrfRejected.Load(),
		ActiveFamilies:  s.st.activeFamilies.Load(),
		RacedDuplicates: s.rareForks.Load(),
	}
}

// FamilyLiveHeads returns how many refresh tokens of the family would be
// accepted as unrotated right now: 1 for a healthy family, 0 for a dead or
// unknown one, more for a fork (or siblings under dup=sibling).
func (s *Server) FamilyLiveHeads(familyID string) int {
	fk, ok := parseFamID(familyID)
	if !ok {
		return 0
	}
	f, ok := s.fams.get(fk)
	if !ok {
		return 0
	}
	now := s.nowNs()
	f.mu.Lock()
	defer f.mu.Unlock()
	if s.deadLocked(f, now) {
		return 0
	}
	n := 0
	for _, t := range f.chain {
		if !t.rotated {
			n++
		}
	}
	return n
}
