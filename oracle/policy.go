package oracle

import (
	"fmt"
	"strings"
	"time"
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
}

// Strict reports whether no grace window is allowed.
func (p Policy) Strict() bool { return p.Grace == 0 }

// String renders the policy in the --policy grammar.
func (p Policy) String() string {
	base := "strict"
	if p.Grace > 0 {
		base = "grace=" + p.Grace.String()
	}
	if p.Reuse == ReuseReject {
		base += ",reuse=reject"
	}
	return base
}

// ParsePolicy reads `strict` or `grace=10s`, optionally followed by
// `,reuse=revoke-family` or `,reuse=reject`.
func ParsePolicy(spec string) (Policy, error) {
	var p Policy
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return p, nil
	}
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		key, val, hasVal := strings.Cut(part, "=")
		switch {
		case i == 0 && part == "strict":
		case i == 0 && key == "grace" && hasVal:
			d, err := time.ParseDuration(val)
			if err != nil || d < 0 {
				return p, fmt.Errorf("policy %q: grace %q is not a non-negative duration like 10s", spec, val)
			}
			p.Grace = d
		case i > 0 && key == "reuse" && hasVal:
			switch val {
			case "revoke-family":
				p.Reuse = ReuseRevokeFamily
			case "reject":
				p.Reuse = ReuseReject
			default:
				return p, fmt.Errorf("policy %q: reuse must be revoke-family or reject, not %q", spec, val)
			}
		case i == 0:
			return p, fmt.Errorf("policy %q: must start with strict or grace=DURATION", spec)
		default:
			return p, fmt.Errorf("policy %q: unknown part %q (want reuse=revoke-family|reject)", spec, part)
		}
	}
	return p, nil
}
