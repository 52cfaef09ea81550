package policyspec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Spec is one parsed policy: the rotation policy proper (Grace, Dup,
// RevokeOnReuse) and the server-only knobs (Defects, ZombieAfter,
// FamilyCap) that only the embedded authserver can honour.
//
// The zero value is strict with reuse=reject (no revocation); Parse("")
// gives the RFC 9700 behaviour (revoke on reuse).
type Spec struct {
	Grace         time.Duration // 0 = strict
	Dup           Dup           // meaningful when Grace > 0
	RevokeOnReuse bool          // true unless reuse=reject
	Defects       Defect
	ZombieAfter   time.Duration // DefectZombie only; 0 = the server's default
	// FamilyCap is how many live families a user may hold; one more sign-in
	// evicts the oldest. 0 = the server's default.
	FamilyCap int
	// Capacity is the server's capacity model; the zero value is unbounded.
	Capacity Capacity

	// Rotate, Parent and Access describe token protocols' policies:
	// whether a refresh rotates, how long the parent is honoured, and
	// whether access tokens die with their family.
	Rotate Rotate
	Parent Parent
	Access Access
	// RevokeLag delays a reuse revocation (server only): the family's
	// tokens keep working that long after reuse was detected.
	RevokeLag time.Duration
}

// ServerOnly names the first server-only part set in s ("" when none):
// such parts describe a server, not what a client may expect of one.
func (s Spec) ServerOnly() string {
	switch {
	case s.Defects != DefectNone:
		return "defect=" + s.Defects.String()
	case s.ZombieAfter != 0:
		return "zombie-after="
	case s.FamilyCap != 0:
		return "family-cap="
	case s.Capacity != Capacity{}:
		return "capacity="
	case s.RevokeLag != 0:
		return "revoke-lag="
	}
	return ""
}

// MaxFamilyCap bounds family-cap=, so that a typo cannot mean "unbounded".
const MaxFamilyCap = 100000

const (
	validStart  = "strict or grace=DURATION"
	validParts  = "dup=, reuse=, rotate=, parent=, access=, defect=, zombie-after=, revoke-lag=, family-cap=, capacity=, workers=, service=, lock-timeout="
	validDups   = "same-child|sibling|current-head"
	validReuses = "revoke-family|reject"
)

// part is one key=value after the first part; each key's parser fills s.
type part struct {
	key   string
	parse func(s *Spec, val string) (want string, ok bool)
}

// parts is the grammar after the first part. A new knob is one entry here,
// one field in Spec and one line in String.
var parts = []part{
	{"dup", func(s *Spec, v string) (string, bool) {
		d, ok := parseDup(v)
		s.Dup = d
		return "dup=" + validDups, ok
	}},
	{"reuse", func(s *Spec, v string) (string, bool) {
		s.RevokeOnReuse = v == "revoke-family"
		return "reuse=" + validReuses, v == "revoke-family" || v == "reject"
	}},
	{"defect", func(s *Spec, v string) (string, bool) {
		d, ok := parseDefect(v)
		s.Defects |= d
		return "defect=" + validDefects(), ok
	}},
	{"zombie-after", func(s *Spec, v string) (string, bool) {
		d, err := time.ParseDuration(v)
		s.ZombieAfter = d
		return "zombie-after=DURATION with a positive duration like 300ms", err == nil && d > 0
	}},
	{"family-cap", func(s *Spec, v string) (string, bool) {
		n, err := strconv.Atoi(v)
		s.FamilyCap = n
		return fmt.Sprintf("family-cap=N with N in 1..%d", MaxFamilyCap), err == nil && n >= 1 && n <= MaxFamilyCap
	}},
	capacityParts[0], capacityParts[1], capacityParts[2], capacityParts[3],
	tokenParts[0], tokenParts[1], tokenParts[2], tokenParts[3],
}

// Parse reads the policy grammar:
//
//	strict | grace=DURATION | server-a|server-b|server-c[=INTERVAL]
//	  [,dup=same-child|sibling|current-head] [,reuse=revoke-family|reject]
//	  [,rotate=always|after-interval|never] [,parent=in-grace|any-age]
//	  [,access=revocable|self-contained]
//	  [,defect=NAME]... [,zombie-after=DURATION] [,revoke-lag=DURATION] [,family-cap=N]
//
// An empty spec is strict with reuse=revoke-family. Errors are one line
// naming the spec and the part at fault.
func Parse(spec string) (Spec, error) {
	s := Spec{RevokeOnReuse: true}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return s, nil
	}
	bad := func(p, want string) error {
		return fmt.Errorf("policy %q: bad part %q: want %s", spec, p, want)
	}
	seen := map[string]bool{}
	for i, p := range strings.Split(spec, ",") {
		p = strings.TrimSpace(p)
		key, val, hasVal := strings.Cut(p, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if i == 0 {
			switch {
			case p == "strict":
			case findPreset(key) != nil:
				pr := findPreset(key)
				g := pr.Interval
				if hasVal {
					d, err := time.ParseDuration(val)
					if err != nil || d <= 0 || pr.Interval == 0 {
						return s, bad(p, pr.Name+" or, for presets with an interval, "+pr.Name+"=DURATION")
					}
					g = d
				}
				s = pr.build(g)
			case key == "grace" && hasVal:
				d, err := time.ParseDuration(val)
				if err != nil || d < 0 {
					return s, bad(p, "grace=DURATION with a non-negative duration like 10s")
				}
				s.Grace = d
			default:
				return s, bad(p, validStart+" first")
			}
			continue
		}
		k := findPart(key)
		if !hasVal || k == nil {
			return s, bad(p, "one of "+validParts+" after "+validStart)
		}
		if want, ok := k.parse(&s, val); !ok {
			return s, bad(p, want)
		}
		seen[key] = true
	}
	switch {
	case seen["dup"] && s.Grace == 0:
		return s, fmt.Errorf("policy %q: dup= needs grace=DURATION (strict has no grace window)", spec)
	case s.Defects&DefectGraceAnyAncestor != 0 && s.Grace == 0:
		return s, fmt.Errorf("policy %q: defect=grace-any-ancestor needs grace=DURATION", spec)
	case seen["zombie-after"] && s.Defects&DefectZombie == 0:
		return s, fmt.Errorf("policy %q: zombie-after= needs defect=zombie", spec)
	case s.Rotate == RotateAfterInterval && s.Grace == 0:
		return s, fmt.Errorf("policy %q: rotate=after-interval needs grace=DURATION (the interval)", spec)
	case s.Parent == ParentAnyAge && s.Grace == 0:
		return s, fmt.Errorf("policy %q: parent=any-age needs grace=DURATION", spec)
	case s.Defects&DefectAncestorFork != 0 && s.Grace == 0:
		return s, fmt.Errorf("policy %q: defect=ancestor-fork needs grace=DURATION", spec)
	}
	if err := s.checkCapacity(); err != nil {
		return s, fmt.Errorf("policy %q: %v", spec, err)
	}
	return s, nil
}

func findPart(key string) *part {
	for i := range parts {
		if parts[i].key == key {
			return &parts[i]
		}
	}
	return nil
}

// String renders the spec in the Parse grammar, defaults omitted.
func (s Spec) String() string {
	var b strings.Builder
	if s.Grace > 0 {
		b.WriteString("grace=" + s.Grace.String())
		if s.Dup != DupSameChild {
			b.WriteString(",dup=" + s.Dup.String())
		}
	} else {
		b.WriteString("strict")
	}
	if !s.RevokeOnReuse {
		b.WriteString(",reuse=reject")
	}
	for _, dn := range defectNames {
		if s.Defects&dn.d != 0 {
			b.WriteString(",defect=" + dn.name)
		}
	}
	if s.Rotate != RotateAlways {
		b.WriteString(",rotate=" + s.Rotate.String())
	}
	if s.Parent != ParentInGrace {
		b.WriteString(",parent=" + s.Parent.String())
	}
	if s.Access != AccessDefault {
		b.WriteString(",access=" + s.Access.String())
	}
	if s.RevokeLag > 0 {
		b.WriteString(",revoke-lag=" + s.RevokeLag.String())
	}
	if s.Defects&DefectZombie != 0 && s.ZombieAfter > 0 {
		b.WriteString(",zombie-after=" + s.ZombieAfter.String())
	}
	if s.FamilyCap > 0 {
		b.WriteString(",family-cap=" + strconv.Itoa(s.FamilyCap))
	}
	b.WriteString(s.Capacity.capacityString())
	return b.String()
}

// Validate reports a spec built in code (not by Parse) that no server
// could honour.
func (s Spec) Validate() error {
	switch {
	case s.Grace < 0:
		return fmt.Errorf("policy grace %v is negative", s.Grace)
	case !s.Dup.Valid():
		return fmt.Errorf("policy dup %d unknown (want %s)", s.Dup, validDups)
	case s.Defects&^AllDefects != 0:
		return fmt.Errorf("policy defects %#x include unknown bits", uint16(s.Defects))
	case s.Defects&DefectGraceAnyAncestor != 0 && s.Grace == 0:
		return fmt.Errorf("policy defect grace-any-ancestor needs grace > 0")
	case s.ZombieAfter < 0:
		return fmt.Errorf("policy zombie-after %v is negative", s.ZombieAfter)
	case int(s.Rotate) >= len(rotateNames) || int(s.Parent) >= len(parentNames) || int(s.Access) >= len(accessNames):
		return fmt.Errorf("policy rotate/parent/access value unknown")
	case s.RevokeLag < 0:
		return fmt.Errorf("policy revoke-lag %v is negative", s.RevokeLag)
	case s.FamilyCap < 0 || s.FamilyCap > MaxFamilyCap:
		return fmt.Errorf("policy family-cap %d: want 0 (default) or 1..%d", s.FamilyCap, MaxFamilyCap)
	}
	return s.checkCapacity()
}
