package targets

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// MaxAncestors is how many rotated tokens a session remembers, newest
// first; replay and stale-cookie chaos draw from them.
const MaxAncestors = 4

// Ancestor is a token the session held before, and when it was replaced.
type Ancestor struct {
	Token     string
	RotatedAt time.Time
}

// Session is one virtual client: its own cookie chain for one token family.
// A session is owned by whoever holds its lease; nothing else touches it.
type Session struct {
	Index int // slot in the pool
	Cred  int // index of the credential it signed in with

	Family  string // server's family id
	Refresh string // the newest refresh token (the head, as the client knows it)
	Access  string
	CSRF    string
	// Generation counts rotations since the family was signed in.
	Generation uint32
	// SignIns counts families this slot has signed in (1 after bootstrap).
	SignIns uint32
	// headAt is when Refresh became the head, as an offset from epoch.
	headAt time.Duration

	ancestors [MaxAncestors]ancestor
	nAnc      uint8

	// State is what the harness has learned about the current family.
	State oracle.FamilyState
	// CookieProblem is what was wrong with the cookies of the current
	// family's sign-in; the engine reports it once as fail_cookie_attrs.
	CookieProblem string
	// Lost is set when the slot could not be signed in again; a lost
	// session never returns to the pool.
	Lost bool

	// Chaos is the chaos event the targeter assigned to the current lease;
	// 0 means plain load. Its meaning belongs to the attack package.
	Chaos uint8

	profile Profile
	// header holds the prebuilt refresh header as a short list rather than
	// a map (a map costs a session about 400 bytes); the targeter copies it
	// into a map lent for the request, held in leased until the request
	// is built.
	header   []headerEntry
	leased   http.Header
	body     []byte
	slotHdr  []string
	fpHdr    []string
	familyFP []string
}

// FPValue and FamilyFPValue are the fingerprints as ready header values;
// they are replaced, never mutated, so holders of an old slice keep it.
// The session keeps each fingerprint only there.
func (s *Session) FPValue() []string       { return s.fpHdr }
func (s *Session) FamilyFPValue() []string { return s.familyFP }

// FP is the salted fingerprint of the slot, for results.
func (s *Session) FP() string { return first(s.fpHdr) }

// FamilyFP is the salted fingerprint of Family.
func (s *Session) FamilyFP() string { return first(s.familyFP) }

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// HeadSince is when Refresh became the head.
func (s *Session) HeadSince() time.Time { return epoch.Add(s.headAt) }

// Ancestor returns the k-th rotated token (1 = immediate parent).
func (s *Session) Ancestor(k int) (Ancestor, bool) {
	if k < 1 || k > int(s.nAnc) {
		return Ancestor{}, false
	}
	a := s.ancestors[k-1]
	return Ancestor{Token: a.token, RotatedAt: epoch.Add(a.at)}, true
}

// ancestor is an Ancestor as a session stores it: a time.Time is three
// words, an offset from epoch one (and keeps the monotonic clock).
type ancestor struct {
	token string
	at    time.Duration
}

var epoch = time.Now()

// Ancestors is how many rotated tokens the session remembers.
func (s *Session) Ancestors() int { return int(s.nAnc) }

// Adopt starts a new family on this session (after a sign-in).
func (s *Session) Adopt(f Family, familyFP string, now time.Time) {
	s.Family = f.ID
	s.familyFP = []string{familyFP}
	s.State = oracle.FamilyHealthy
	s.Refresh, s.Access, s.CSRF = f.Refresh, f.Access, f.CSRF
	s.CookieProblem = f.CookieProblem
	s.Generation = 0
	s.headAt = now.Sub(epoch)
	s.nAnc = 0
	s.ancestors = [MaxAncestors]ancestor{}
	s.SignIns++
	s.rebuildHeader()
}

// Rotate makes refresh the new head; the old head becomes the parent.
// access may be "" when the server sent no new access cookie. A refresh
// of "" or of the head itself (a server that did not rotate) keeps the
// head and only takes the new access token.
func (s *Session) Rotate(refresh, access string, now time.Time) {
	if refresh == "" || refresh == s.Refresh {
		if access != "" {
			s.Access = access
		}
		return
	}
	copy(s.ancestors[1:], s.ancestors[:MaxAncestors-1])
	s.ancestors[0] = ancestor{token: s.Refresh, at: now.Sub(epoch)}
	if s.nAnc < MaxAncestors {
		s.nAnc++
	}
	s.Refresh = refresh
	if access != "" {
		s.Access = access
	}
	s.Generation++
	s.headAt = now.Sub(epoch)
	s.rebuildHeader()
}

// SetHead replaces the head without recording an ancestor: used when the
// client learns that another token (e.g. a duplicate's child) is the one
// that lives.
func (s *Session) SetHead(refresh, access string, now time.Time) {
	s.Refresh = refresh
	if access != "" {
		s.Access = access
	}
	s.headAt = now.Sub(epoch)
	s.rebuildHeader()
}

// Body is the prebuilt body of a plain refresh (nil for protocols that
// send none). A rotation builds a new one and never changes an old one,
// so requests share it without copying.
func (s *Session) Body() []byte { return s.body }

// SessionHeader names the internal header that tells the transport which
// session a request belongs to; the transport removes it before sending.
const SessionHeader = "X-Refreshstorm-Session"

// DroppedSlot is the SessionHeader value of a tick that found no idle session.
const DroppedSlot = "-"

// headerEntry is one header of a session's prebuilt refresh.
type headerEntry struct {
	key  string
	vals []string
}

// scratchHeaders lend rebuildHeader a map for the profile to write into.
var scratchHeaders = sync.Pool{New: func() any { return make(http.Header, 8) }}

// rebuildHeader has the profile write the refresh header for the current
// head. The profile overwrites one-value slices in place, so in steady
// state only the new token's own string is allocated.
func (s *Session) rebuildHeader() {
	if s.slotHdr == nil {
		s.slotHdr = []string{strconv.Itoa(s.Index)}
	}
	h := scratchHeaders.Get().(http.Header)
	clear(h)
	for _, e := range s.header {
		h[e.key] = e.vals
	}
	s.body = s.profile.WriteRefresh(h, s.Refresh, s.CSRF)
	h[SessionHeader] = s.slotHdr
	if !s.updateEntries(h) {
		s.header = make([]headerEntry, 0, len(h))
		for k, v := range h {
			s.header = append(s.header, headerEntry{k, v})
		}
	}
	clear(h)
	scratchHeaders.Put(h)
	s.shareToken()
}

// updateEntries takes h's values into the entries when h has exactly
// their keys; false when the set of headers changed.
func (s *Session) updateEntries(h http.Header) bool {
	if len(h) != len(s.header) {
		return false
	}
	for i := range s.header {
		v, ok := h[s.header[i].key]
		if !ok {
			return false
		}
		s.header[i].vals = v
	}
	return true
}

// Header returns a new map holding the prebuilt header of a plain refresh
// by this session (the targeter lends maps instead of making one).
func (s *Session) Header() http.Header {
	h := make(http.Header, len(s.header))
	s.fillHeader(h)
	return h
}

// fillHeader writes the prebuilt refresh header into h.
func (s *Session) fillHeader(h http.Header) {
	clear(h)
	for _, e := range s.header {
		h[e.key] = e.vals
	}
}

// shareToken points Refresh at the copy of the token inside the header
// value that carries it (the cookie profile's "name=token"), when there is
// one. The session then keeps one copy of each token instead of two, and
// no longer holds the server's Set-Cookie line the token was parsed from:
// with four ancestors that is most of a session's memory.
func (s *Session) shareToken() {
	tok := s.Refresh
	if tok == "" {
		return
	}
	for _, e := range s.header {
		if v := e.vals; len(v) == 1 && len(v[0]) > len(tok) && strings.HasSuffix(v[0], tok) {
			s.Refresh = v[0][len(v[0])-len(tok):]
			return
		}
	}
}
