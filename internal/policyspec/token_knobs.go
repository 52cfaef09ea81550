package policyspec

import (
	"fmt"
	"time"
)

// Rotate says when a refresh of the head rotates it.
type Rotate uint8

const (
	// RotateAlways: every accepted refresh of the head returns a new token.
	RotateAlways Rotate = iota
	// RotateAfterInterval: within the grace window after a rotation the
	// head is returned again unrotated (Dex's reuse interval).
	RotateAfterInterval
	// RotateNever: the refresh token never changes.
	RotateNever
)

var rotateNames = [...]string{"always", "after-interval", "never"}

func (r Rotate) String() string {
	if int(r) < len(rotateNames) {
		return rotateNames[r]
	}
	return fmt.Sprintf("rotate(%d)", uint8(r))
}

// Parent says how long the immediate parent of the head may be presented.
type Parent uint8

const (
	// ParentInGrace: only inside the grace window.
	ParentInGrace Parent = iota
	// ParentAnyAge: at any age; after the window it gets the current head.
	ParentAnyAge
)

var parentNames = [...]string{"in-grace", "any-age"}

func (p Parent) String() string {
	if int(p) < len(parentNames) {
		return parentNames[p]
	}
	return fmt.Sprintf("parent(%d)", uint8(p))
}

// Access says whether access tokens die with their family.
type Access uint8

const (
	// AccessDefault: the profile decides (revocable for cookie sessions,
	// self-contained for token protocols, where access tokens are often JWTs).
	AccessDefault Access = iota
	// AccessRevocable: revoking a family kills its access tokens at once.
	AccessRevocable
	// AccessSelfContained: access tokens live until they expire.
	AccessSelfContained
)

var accessNames = [...]string{"", "revocable", "self-contained"}

func (a Access) String() string {
	if int(a) < len(accessNames) {
		return accessNames[a]
	}
	return fmt.Sprintf("access(%d)", uint8(a))
}

const (
	validRotates  = "always|after-interval|never"
	validParents  = "in-grace|any-age"
	validAccesses = "revocable|self-contained"
)

func parseName[T ~uint8](names []string, v string, from int) (T, bool) {
	for i := from; i < len(names); i++ {
		if names[i] == v {
			return T(i), true
		}
	}
	return 0, false
}

// tokenParts are the keys that describe token protocols' policies.
var tokenParts = []part{
	{"rotate", func(s *Spec, v string) (string, bool) {
		r, ok := parseName[Rotate](rotateNames[:], v, 0)
		s.Rotate = r
		return "rotate=" + validRotates, ok
	}},
	{"parent", func(s *Spec, v string) (string, bool) {
		p, ok := parseName[Parent](parentNames[:], v, 0)
		s.Parent = p
		return "parent=" + validParents, ok
	}},
	{"access", func(s *Spec, v string) (string, bool) {
		a, ok := parseName[Access](accessNames[:], v, 1)
		s.Access = a
		return "access=" + validAccesses, ok
	}},
	{"revoke-lag", func(s *Spec, v string) (string, bool) {
		d, err := time.ParseDuration(v)
		s.RevokeLag = d
		return "revoke-lag=DURATION with a positive duration like 10s", err == nil && d > 0
	}},
}

// Preset is a named server model: the behaviours of a real identity
// provider, measured by hand, as one policy.
type Preset struct {
	Name string
	// Interval is the preset's reuse interval when none is given.
	Interval time.Duration
	build    func(interval time.Duration) Spec
}

// Presets model three independently written OAuth 2.0 servers. Each is
// given as `server-x` or `server-x=INTERVAL` (a shorter interval for tests).
var Presets = []Preset{
	{"server-a", 0, func(time.Duration) Spec {
		// Rotates every time, no grace, reuse revokes the grant and its
		// access tokens; a concurrent refresh now and then forks.
		return Spec{RevokeOnReuse: true, Access: AccessRevocable, Defects: DefectRareFork}
	}},
	{"server-b", 10 * time.Second, func(g time.Duration) Spec {
		// Duplicates inside the interval get the same child; the parent
		// is honoured at any age; older ancestors inside the interval
		// fork; revocation takes an interval to bite; JWT access tokens.
		return Spec{Grace: g, Dup: DupSameChild, Parent: ParentAnyAge, RevokeOnReuse: true,
			Access: AccessSelfContained, Defects: DefectAncestorFork, RevokeLag: g}
	}},
	{"server-c", 3 * time.Second, func(g time.Duration) Spec {
		// No rotation inside the interval, duplicates get the current
		// token, reuse is refused as invalid_request and never revokes,
		// one family per user and client, JWT access tokens.
		return Spec{Grace: g, Dup: DupCurrentHead, Rotate: RotateAfterInterval,
			Access: AccessSelfContained, Defects: DefectReuseInvalidRequest, FamilyCap: 1}
	}},
}

func findPreset(name string) *Preset {
	for i := range Presets {
		if Presets[i].Name == name {
			return &Presets[i]
		}
	}
	return nil
}

// PresetNames lists the presets for usage text.
func PresetNames() string { return "server-a|server-b|server-c" }
