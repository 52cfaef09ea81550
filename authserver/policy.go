package authserver

import (
	"fmt"
	"strings"
	"time"
)

// Dup is what a duplicate of the immediate parent gets inside the grace window.
type Dup uint8

const (
	// DupSameChild returns the child already minted for that parent again.
	DupSameChild Dup = iota
	// DupSibling mints a new sibling child; both children stay refreshable
	// and the newest becomes the family's head.
	DupSibling
	// DupCurrentHead returns the family's current head token.
	DupCurrentHead
)

var dupNames = [...]string{"same-child", "sibling", "current-head"}

func (d Dup) String() string {
	if int(d) < len(dupNames) {
		return dupNames[d]
	}
	return fmt.Sprintf("dup(%d)", uint8(d))
}

// Defect is a set of deliberate, named server bugs, so that the harness's
// oracle can be shown to catch each failure class.
type Defect uint8

const (
	DefectNone Defect = 0
	// DefectNonAtomic: the rotation check-then-write is not atomic, so
	// concurrent refreshes of one token fork the family (several live children).
	DefectNonAtomic Defect = 1 << iota
	// DefectReuseNoRevoke: reuse of a rotated token is rejected (401
	// refresh_token_reused) but the family is not revoked.
	DefectReuseNoRevoke
	// DefectZombie: a revocation is forgotten after Policy.ZombieAfter and the
	// family's tokens work again.
	DefectZombie
	// DefectNoCSRF: the CSRF header is not checked on refresh.
	DefectNoCSRF
	// DefectCSRFConsumes: a refresh rejected for CSRF still rotates the
	// presented token; its child is lost.
	DefectCSRFConsumes
	// DefectGraceAnyAncestor: the grace window accepts any ancestor, not only
	// the immediate parent of the head (needs Grace > 0).
	DefectGraceAnyAncestor
	// DefectAcceptRotated: a rotated token outside the grace window is
	// accepted and rotated again (a fork), the family is not revoked.
	DefectAcceptRotated

	allDefects = DefectNonAtomic | DefectReuseNoRevoke | DefectZombie | DefectNoCSRF |
		DefectCSRFConsumes | DefectGraceAnyAncestor | DefectAcceptRotated
)

var defectNames = [...]struct {
	d    Defect
	name string
}{
	{DefectNonAtomic, "non-atomic"},
	{DefectReuseNoRevoke, "reuse-no-revoke"},
	{DefectZombie, "zombie"},
	{DefectNoCSRF, "no-csrf"},
	{DefectCSRFConsumes, "csrf-consumes"},
	{DefectGraceAnyAncestor, "grace-any-ancestor"},
	{DefectAcceptRotated, "accept-rotated"},
}

// String lists the defect names joined by "+", or "none".
func (d Defect) String() string {
	if d == DefectNone {
		return "none"
	}
	var names []string
	for _, dn := range defectNames {
		if d&dn.d != 0 {
			names = append(names, dn.name)
		}
	}
	if rest := d &^ allDefects; rest != 0 {
		names = append(names, fmt.Sprintf("defect(%#x)", uint8(rest)))
	}
	return strings.Join(names, "+")
}

// DefaultZombieAfter is how long DefectZombie remembers a revocation when
// Policy.ZombieAfter is zero.
const DefaultZombieAfter = 300 * time.Millisecond

// Policy is the server's rotation policy plus its deliberate defects.
//
// The zero value is strict with reuse=reject (no revocation); use
// ParsePolicy("strict") for the RFC 9700 behaviour (revoke on reuse).
type Policy struct {
	Grace         time.Duration // 0 = strict
	Dup           Dup           // meaningful when Grace > 0
	RevokeOnReuse bool          // true unless reuse=reject
	Defects       Defect
	ZombieAfter   time.Duration // DefectZombie only; 0 = DefaultZombieAfter
}

const (
	validStart  = "strict or grace=DURATION"
	validParts  = "dup=, reuse=, defect=, zombie-after="
	validDups   = "same-child|sibling|current-head"
	validReuses = "revoke-family|reject"
)

func validDefects() string {
	names := make([]string, len(defectNames))
	for i, dn := range defectNames {
		names[i] = dn.name
	}
	return strings.Join(names, "|")
}

// ParsePolicy reads the --server-policy grammar:
//
//	strict | grace=DURATION
//	  [,dup=same-child|sibling|current-head] [,reuse=revoke-family|reject]
//	  [,defect=NAME]... [,zombie-after=DURATION]
//
// An empty spec is strict with reuse=revoke-family.
func ParsePolicy(spec string) (Policy, error) {
	p := Policy{RevokeOnReuse: true}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return p, nil
	}
	bad := func(part, want string) error {
		return fmt.Errorf("server policy %q: bad part %q: want %s", spec, part, want)
	}
	var dupSet, zombieAfterSet bool
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		key, val, hasVal := strings.Cut(part, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if i == 0 {
			switch {
			case part == "strict":
			case key == "grace" && hasVal:
				d, err := time.ParseDuration(val)
				if err != nil || d < 0 {
					return p, bad(part, "grace=DURATION with a non-negative duration like 10s")
				}
				p.Grace = d
			default:
				return p, bad(part, validStart+" first")
			}
			continue
		}
		if !hasVal {
			return p, bad(part, "one of "+validParts+" after "+validStart)
		}
		switch key {
		case "dup":
			d, ok := parseDup(val)
			if !ok {
				return p, bad(part, "dup="+validDups)
			}
			p.Dup, dupSet = d, true
		case "reuse":
			switch val {
			case "revoke-family":
				p.RevokeOnReuse = true
			case "reject":
				p.RevokeOnReuse = false
			default:
				return p, bad(part, "reuse="+validReuses)
			}
		case "defect":
			d, ok := parseDefect(val)
			if !ok {
				return p, bad(part, "defect="+validDefects())
			}
			p.Defects |= d
		case "zombie-after":
			d, err := time.ParseDuration(val)
			if err != nil || d <= 0 {
				return p, bad(part, "zombie-after=DURATION with a positive duration like 300ms")
			}
			p.ZombieAfter, zombieAfterSet = d, true
		default:
			return p, bad(part, "one of "+validParts+" after "+validStart)
		}
	}
	switch {
	case dupSet && p.Grace == 0:
		return p, fmt.Errorf("server policy %q: dup= needs grace=DURATION (strict has no grace window)", spec)
	case p.Defects&DefectGraceAnyAncestor != 0 && p.Grace == 0:
		return p, fmt.Errorf("server policy %q: defect=grace-any-ancestor needs grace=DURATION", spec)
	case zombieAfterSet && p.Defects&DefectZombie == 0:
		return p, fmt.Errorf("server policy %q: zombie-after= needs defect=zombie", spec)
	}
	return p, nil
}

func parseDup(s string) (Dup, bool) {
	for i, n := range dupNames {
		if n == s {
			return Dup(i), true
		}
	}
	return 0, false
}

func parseDefect(s string) (Defect, bool) {
	for _, dn := range defectNames {
		if dn.name == s {
			return dn.d, true
		}
	}
	return 0, false
}

// String renders the policy in the ParsePolicy grammar, defaults omitted.
func (p Policy) String() string {
	var b strings.Builder
	if p.Grace > 0 {
		b.WriteString("grace=" + p.Grace.String())
		if p.Dup != DupSameChild {
			b.WriteString(",dup=" + p.Dup.String())
		}
	} else {
		b.WriteString("strict")
	}
	if !p.RevokeOnReuse {
		b.WriteString(",reuse=reject")
	}
	for _, dn := range defectNames {
		if p.Defects&dn.d != 0 {
			b.WriteString(",defect=" + dn.name)
		}
	}
	if p.Defects&DefectZombie != 0 && p.ZombieAfter > 0 {
		b.WriteString(",zombie-after=" + p.ZombieAfter.String())
	}
	return b.String()
}

// validate reports a policy that New cannot serve.
func (p Policy) validate() error {
	switch {
	case p.Grace < 0:
		return fmt.Errorf("policy grace %v is negative", p.Grace)
	case int(p.Dup) >= len(dupNames):
		return fmt.Errorf("policy dup %d unknown (want %s)", p.Dup, validDups)
	case p.Defects&^allDefects != 0:
		return fmt.Errorf("policy defects %#x include unknown bits", uint8(p.Defects))
	case p.Defects&DefectGraceAnyAncestor != 0 && p.Grace == 0:
		return fmt.Errorf("policy defect grace-any-ancestor needs grace > 0")
	case p.ZombieAfter < 0:
		return fmt.Errorf("policy zombie-after %v is negative", p.ZombieAfter)
	}
	return nil
}
