package oracle

import (
	"fmt"
	"time"

	"github.com/refreshstorm/refreshstorm/internal/policyspec"
)

// ReuseAction is what the declared policy says reuse outside the grace
// window does.
type ReuseAction uint8

const (
	// ReuseRevokeFamily: reuse revokes every token of the family (RFC 9700 §4.14.2).
	ReuseRevokeFamily ReuseAction = iota
	// ReuseReject: reuse is rejected but the family stays alive.
	ReuseReject
)

func (a ReuseAction) String() string {
	if a == ReuseReject {
		return "reject"
	}
	return "revoke-family"
}

// Policy is the rotation policy a scenario declares for its target.
type Policy struct {
	// Grace is the window after a rotation in which the immediate parent may
	// be presented again. Zero means strict.
	Grace time.Duration
	Reuse ReuseAction
	// Dup is what a duplicate inside the window may get; the zero value
	// (same-child) also allows the current head, as before.
	Dup policyspec.Dup
	// Rotate: whether a refresh of the head must rotate it.
	Rotate policyspec.Rotate
	// Parent: how long the immediate parent may be presented.
	Parent policyspec.Parent
	// Access: whether access tokens must die with their family; the
	// caller resolves AccessDefault for its profile.
	Access policyspec.Access
}

// AccessRevocable reports whether revoked families' access tokens must die.
func (p Policy) AccessRevocable() bool { return p.Access != policyspec.AccessSelfContained }

// KeepsAllowed reports whether a 2xx may hand the presented head back.
func (p Policy) KeepsAllowed() bool { return p.Rotate != policyspec.RotateAlways }

// Strict reports whether no grace window is allowed.
func (p Policy) Strict() bool { return p.Grace == 0 }

// String renders the policy in the --policy grammar.
func (p Policy) String() string {
	base := "strict"
	if p.Grace > 0 {
		base = "grace=" + p.Grace.String()
	}
	if p.Grace > 0 && p.Dup != policyspec.DupSameChild {
		base += ",dup=" + p.Dup.String()
	}
	if p.Reuse == ReuseReject {
		base += ",reuse=reject"
	}
	if p.Rotate != policyspec.RotateAlways {
		base += ",rotate=" + p.Rotate.String()
	}
	if p.Parent != policyspec.ParentInGrace {
		base += ",parent=" + p.Parent.String()
	}
	if p.Access != policyspec.AccessDefault {
		base += ",access=" + p.Access.String()
	}
	return base
}

// ParsePolicy reads the policy grammar (see policyspec.Parse) as a
// declaration of what a client may expect: `strict` or `grace=10s`, with
// optional `,dup=...`, `,reuse=revoke-family|reject`, `,rotate=...`,
// `,parent=...` and `,access=...`. Parts that describe
// a server's own bugs or limits (defect=, zombie-after=, family-cap=) are
// refused: they belong in --server-policy.
func ParsePolicy(spec string) (Policy, error) {
	s, err := policyspec.Parse(spec)
	if err != nil {
		return Policy{}, err
	}
	if part := s.ServerOnly(); part != "" {
		return Policy{}, fmt.Errorf("policy %q: %s describes the server, not what a client may expect; give it to --server-policy", spec, part)
	}
	p := Policy{Grace: s.Grace, Dup: s.Dup, Rotate: s.Rotate, Parent: s.Parent, Access: s.Access}
	if !s.RevokeOnReuse {
		p.Reuse = ReuseReject
	}
	return p, nil
}
