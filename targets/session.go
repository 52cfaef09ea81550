package targets

import (
	"net/http"
	"strconv"
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
	Index int    // slot in the pool
	FP    string // salted fingerprint of the slot, for results
	Cred  int    // index of the credential it signed in with

	Family   string // server's family id
	FamilyFP string // salted fingerprint of Family
	Refresh  string // the newest refresh token (the head, as the client knows it)
	Access   string
	CSRF     string
	// Generation counts rotations since the family was signed in.
	Generation uint32
	// HeadSince is when Refresh became the head.
	HeadSince time.Time
	// SignIns counts families this slot has signed in (1 after bootstrap).
	SignIns uint32

	ancestors [MaxAncestors]Ancestor
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

	profile  Profile
	header   http.Header
	body     []byte
	slotHdr  []string
	fpHdr    []string
	familyFP []string
}

// FPValue and FamilyFPValue are the fingerprints as ready header values;
// they are replaced, never mutated, so holders of an old slice keep it.
func (s *Session) FPValue() []string       { return s.fpHdr }
func (s *Session) FamilyFPValue() []string { return s.familyFP }

// Ancestor returns the k-th rotated token (1 = immediate parent).
func (s *Session) Ancestor(k int) (Ancestor, bool) {
	if k < 1 || k > int(s.nAnc) {
		return Ancestor{}, false
	}
	return s.ancestors[k-1], true
}

// Ancestors is how many rotated tokens the session remembers.
func (s *Session) Ancestors() int { return int(s.nAnc) }

// Adopt starts a new family on this session (after a sign-in).
func (s *Session) Adopt(f Family, familyFP string, now time.Time) {
	s.Family, s.FamilyFP = f.ID, familyFP
	s.familyFP = []string{familyFP}
	s.State = oracle.FamilyHealthy
	s.Refresh, s.Access, s.CSRF = f.Refresh, f.Access, f.CSRF
	s.CookieProblem = f.CookieProblem
	s.Generation = 0
	s.HeadSince = now
	s.nAnc = 0
	s.ancestors = [MaxAncestors]Ancestor{}
	s.SignIns++
	s.rebuildHeader()
}

// Rotate makes refresh the new head; the old head becomes the parent.
// access may be "" when the server sent no new access cookie.
func (s *Session) Rotate(refresh, access string, now time.Time) {
	copy(s.ancestors[1:], s.ancestors[:MaxAncestors-1])
	s.ancestors[0] = Ancestor{Token: s.Refresh, RotatedAt: now}
	if s.nAnc < MaxAncestors {
		s.nAnc++
	}
	s.Refresh = refresh
	if access != "" {
		s.Access = access
	}
	s.Generation++
	s.HeadSince = now
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
	s.HeadSince = now
	s.rebuildHeader()
}

// Header is the prebuilt header of a plain refresh by this session. It
// is updated in place on rotation: use it only while holding the lease,
// and copy it (as vegeta does) to keep a request's values.
func (s *Session) Header() http.Header { return s.header }

// Body is the prebuilt body of a plain refresh (nil for protocols that
// send none). A rotation builds a new one and never changes an old one,
// so requests share it without copying.
func (s *Session) Body() []byte { return s.body }

// SessionHeader names the internal header that tells the transport which
// session a request belongs to; the transport removes it before sending.
const SessionHeader = "X-Refreshstorm-Session"

// DroppedSlot is the SessionHeader value of a tick that found no idle session.
const DroppedSlot = "-"

func (s *Session) rebuildHeader() {
	if s.slotHdr == nil {
		s.slotHdr = []string{strconv.Itoa(s.Index)}
	}
	if s.header == nil {
		s.header = make(http.Header, 4)
	}
	s.body = s.profile.WriteRefresh(s.header, s.Refresh, s.CSRF)
	s.header[SessionHeader] = s.slotHdr
}
