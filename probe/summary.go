package probe

import (
	"github.com/refreshstorm/refreshstorm/oracle"
)

// summarize derives the fingerprint's verdicts from the experiments.
func (d *prober) summarize() {
	d.flush()
	fp := d.fp
	ex := &fp.Experiments

	// Who may use the window, and what a duplicate gets.
	var gpAccepted *ReplayTrial
	for i := range ex.GrandparentReplay {
		if ex.GrandparentReplay[i].Accepted {
			gpAccepted = &ex.GrandparentReplay[i]
			break
		}
	}
	switch {
	case gpAccepted != nil:
		fp.WindowUsers = AnyAncestor
	case fp.Grace.Kind == GraceStrict:
		fp.WindowUsers = None
	case fp.Grace.Kind == Unknown || len(ex.GrandparentReplay) == 0 || ex.GrandparentReplay[0].Status == 0 ||
		!isRejection(ex.GrandparentReplay[0].Status):
		fp.WindowUsers = Unknown
	default:
		fp.WindowUsers = ParentOnly
	}
	switch d.dupModel {
	case "":
		fp.DuplicateGets = None
	case GotNewChild:
		fp.DuplicateGets = Sibling
	case GotChild:
		// With a parent-only window the child is the current head; only an
		// ancestor's duplicate tells the two apart.
		fp.DuplicateGets = SameChildOrHead
		if gpAccepted != nil {
			switch gpAccepted.Got {
			case GotChild:
				fp.DuplicateGets = SameChild
			case GotHead:
				fp.DuplicateGets = CurrentHead
			}
		}
	default:
		fp.DuplicateGets = Unknown
	}

	// What reuse does, and whether revocation lasts.
	var rejected, revoked, notRevoked, zombie, partial, anyTrial bool
	for _, series := range [][]ReplayTrial{ex.ParentReplay, ex.GrandparentReplay} {
		for _, tr := range series {
			anyTrial = true
			if !isRejection(tr.Status) {
				continue
			}
			rejected = true
			switch {
			case tr.FamilyRevoked == nil:
			case *tr.FamilyRevoked:
				revoked = true
				if tr.NewestAccessStatus >= 200 && tr.NewestAccessStatus <= 299 {
					partial = true
				}
			default:
				notRevoked = true
			}
		}
	}
	for _, v := range fp.Reuses {
		zombie = zombie || v.Zombies > 0
	}
	switch {
	case notRevoked:
		fp.Reuse = RejectOnly
	case revoked:
		fp.Reuse = RevokeFamily
	case anyTrial && !rejected && len(ex.ParentReplay) > 0 && ex.ParentReplay[len(ex.ParentReplay)-1].Accepted:
		fp.Reuse = NeverRejected
	default:
		fp.Reuse = Unknown
	}
	switch {
	case zombie:
		fp.Revocation = Zombie
	case partial:
		fp.Revocation = Partial
	case revoked:
		fp.Revocation = Durable
	case notRevoked || fp.Reuse == NeverRejected:
		fp.Revocation = None
	default:
		fp.Revocation = Unknown
	}
	if fp.CSRF.Missing == "" {
		fp.CSRF.Missing = Unknown
	}
	if fp.CSRF.Wrong == "" {
		fp.CSRF.Wrong = Unknown
	}
	if fp.CSRF.OtherFamily == "" {
		fp.CSRF.OtherFamily = Unknown
	}
	for i := range fp.Reuses {
		fp.Reuses[i].settle()
	}
	// Siblings were allowed to live side by side because the retries looked
	// like a sibling-minting window; a server that also accepts rotated
	// tokens outside any window has no such window, so extra live children
	// are a double spend after all.
	if fp.HasViolation(oracle.FailReplayAccepted.String()) && !fp.Concurrent.Forks {
		for i := range ex.Concurrent {
			if c := &ex.Concurrent[i]; c.LiveChildren > 1 {
				c.Fork, fp.Concurrent.Forks = true, true
				d.violation(oracle.FailFork.String(), expConcurrent,
					"%d concurrent refreshes of one token left %d live children, and the server accepts rotated tokens outside any window: the family forked", c.N, c.LiveChildren)
				break
			}
		}
	}
	// A zombie or partial revocation seen by the replays is more specific
	// than "durable"; revocation that differs between ways trumps both.
	if r := revocationByWay(fp.Reuses); r == DependsOnWay || (r != Unknown && fp.Revocation != Zombie && fp.Revocation != Partial) {
		fp.Revocation = r
	}
	fp.Verdict = "pass"
	if fp.Violated() {
		fp.Verdict = "fail"
	}
}
