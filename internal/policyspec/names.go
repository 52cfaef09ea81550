package policyspec

import (
	"fmt"
	"strings"
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

// Valid reports whether d is one of the named values.
func (d Dup) Valid() bool { return int(d) < len(dupNames) }

// Defect is a set of deliberate, named server bugs, so that the harness's
// oracle can be shown to catch each failure class.
type Defect uint16

const (
	DefectNone Defect = 0
	// DefectNonAtomic: the rotation check-then-write is not atomic, so
	// concurrent refreshes of one token fork the family (several live children).
	DefectNonAtomic Defect = 1 << iota
	// DefectReuseNoRevoke: reuse of a rotated token is rejected (401
	// refresh_token_reused) but the family is not revoked.
	DefectReuseNoRevoke
	// DefectZombie: a revocation is forgotten after ZombieAfter and the
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
	// DefectRevokeOnConcurrentOnly: reuse is first caught by a pre-check
	// that takes no lock and rejects without revoking; only a duplicate
	// that races past it, while the token is being rotated, reaches the
	// locked reuse path and revokes the family. Sequential reuse is thus
	// never revoked, concurrent duplicates almost always are.
	DefectRevokeOnConcurrentOnly
	// DefectContentionFork: the family lock is taken with a timeout that
	// falls through, so rotation forks only when the server queues (needs
	// a capacity model; see Capacity).
	DefectContentionFork
	// DefectRareFork: now and then (one in rareForkEvery) a duplicate that
	// races the rotation of its token is rotated again instead of being
	// caught as reuse: both get 200 with different tokens.
	DefectRareFork
	// DefectAncestorFork: an ancestor older than the immediate parent,
	// presented inside the grace window after its rotation, is rotated
	// again: a new, different token (needs Grace > 0).
	DefectAncestorFork
	// DefectReuseInvalidRequest: token protocols answer reuse with 400
	// invalid_request, not invalid_grant.
	DefectReuseInvalidRequest

	AllDefects = DefectNonAtomic | DefectReuseNoRevoke | DefectZombie | DefectNoCSRF |
		DefectCSRFConsumes | DefectGraceAnyAncestor | DefectAcceptRotated | DefectRevokeOnConcurrentOnly |
		DefectContentionFork | DefectRareFork | DefectAncestorFork | DefectReuseInvalidRequest
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
	{DefectRevokeOnConcurrentOnly, "revoke-on-concurrent-only"},
	{DefectContentionFork, "contention-fork"},
	{DefectRareFork, "rare-fork"},
	{DefectAncestorFork, "ancestor-fork"},
	{DefectReuseInvalidRequest, "reuse-invalid-request"},
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
	if rest := d &^ AllDefects; rest != 0 {
		names = append(names, fmt.Sprintf("defect(%#x)", uint16(rest)))
	}
	return strings.Join(names, "+")
}

// DefectList returns every single named defect, in grammar order.
func DefectList() []Defect {
	out := make([]Defect, len(defectNames))
	for i, dn := range defectNames {
		out[i] = dn.d
	}
	return out
}

func validDefects() string {
	names := make([]string, len(defectNames))
	for i, dn := range defectNames {
		names[i] = dn.name
	}
	return strings.Join(names, "|")
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
