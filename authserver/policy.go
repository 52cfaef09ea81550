package authserver

import (
	"time"

	"github.com/refreshstorm/refreshstorm/internal/policyspec"
)

// Policy is the server's rotation policy plus its deliberate defects, in
// the grammar policyspec parses for both --policy and --server-policy.
//
// The zero value is strict with reuse=reject (no revocation); use
// ParsePolicy("strict") for the RFC 9700 behaviour (revoke on reuse).
type Policy = policyspec.Spec

// Dup is what a duplicate of the immediate parent gets inside the grace window.
type Dup = policyspec.Dup

// Defect is a set of deliberate, named server bugs.
type Defect = policyspec.Defect

// The values of Dup and Defect; policyspec documents each.
const (
	DupSameChild   = policyspec.DupSameChild
	DupSibling     = policyspec.DupSibling
	DupCurrentHead = policyspec.DupCurrentHead

	DefectNone                   = policyspec.DefectNone
	DefectNonAtomic              = policyspec.DefectNonAtomic
	DefectReuseNoRevoke          = policyspec.DefectReuseNoRevoke
	DefectZombie                 = policyspec.DefectZombie
	DefectNoCSRF                 = policyspec.DefectNoCSRF
	DefectCSRFConsumes           = policyspec.DefectCSRFConsumes
	DefectGraceAnyAncestor       = policyspec.DefectGraceAnyAncestor
	DefectAcceptRotated          = policyspec.DefectAcceptRotated
	DefectRevokeOnConcurrentOnly = policyspec.DefectRevokeOnConcurrentOnly
	DefectContentionFork         = policyspec.DefectContentionFork
	DefectRareFork               = policyspec.DefectRareFork
	DefectAncestorFork           = policyspec.DefectAncestorFork
	DefectReuseInvalidRequest    = policyspec.DefectReuseInvalidRequest

	RotateAlways        = policyspec.RotateAlways
	RotateAfterInterval = policyspec.RotateAfterInterval
	RotateNever         = policyspec.RotateNever
	ParentAnyAge        = policyspec.ParentAnyAge
	AccessSelfContained = policyspec.AccessSelfContained
)

// DefaultZombieAfter is how long DefectZombie remembers a revocation when
// Policy.ZombieAfter is zero.
const DefaultZombieAfter = 300 * time.Millisecond

// ParsePolicy reads the --server-policy grammar (see policyspec.Parse).
// An empty spec is strict with reuse=revoke-family.
func ParsePolicy(spec string) (Policy, error) { return policyspec.Parse(spec) }
