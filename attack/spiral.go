package attack

import (
	"fmt"
	"slices"
	"sync"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// spiralEvictions is how many evictions make a family-cap spiral: one
// could be a server bug, three of the harness's own families dying right
// after their user signed in again is the harness's configuration.
const spiralEvictions = 3

// capSpiral watches for the harness evicting its own families. A server
// that keeps at most N families per user evicts the oldest on the next
// sign-in; with --families-per-user above N every bootstrap and every
// re-sign-in evicts one of the harness's live families, whose next refresh
// is rejected, whose replacement evicts another: a spiral the server is
// not to blame for. A newest token rejected after a later sign-in of the
// same user is taken for such an eviction.
//
// It is shared by the transport and the follow-ups, so it has its own lock.
type capSpiral struct {
	mu sync.Mutex
	// signIns counts each user's sign-ins; slotAt is, per slot, its user's
	// count when the slot's current family signed in.
	signIns []uint64
	slotAt  []uint64
	// perUser is the most families one user holds (--families-per-user).
	perUser   int
	evictions int
	problem   string
}

// newCapSpiral numbers the bootstrap sign-ins of each user in the order
// they happened (by the time each session's head was set).
func newCapSpiral(sessions []*targets.Session, users int) *capSpiral {
	c := &capSpiral{signIns: make([]uint64, users), slotAt: make([]uint64, len(sessions))}
	byUser := make([][]*targets.Session, users)
	for _, s := range sessions {
		if s.Cred >= 0 && s.Cred < users {
			byUser[s.Cred] = append(byUser[s.Cred], s)
		}
	}
	for u, ss := range byUser {
		slices.SortStableFunc(ss, func(a, b *targets.Session) int { return a.HeadSince().Compare(b.HeadSince()) })
		for _, s := range ss {
			c.signIns[u]++
			c.slotAt[s.Index] = c.signIns[u]
		}
		c.perUser = max(c.perUser, len(ss))
	}
	return c
}

// signedIn records a re-sign-in of s's user into slot s.
func (c *capSpiral) signedIn(s *targets.Session) {
	if s.Cred < 0 || s.Cred >= len(c.signIns) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.signIns[s.Cred]++
	c.slotAt[s.Index] = c.signIns[s.Cred]
}

// evicted reports whether s's newest token, just rejected, was probably
// evicted by a later sign-in of the same user. The third eviction sets the
// problem and reports spiral.
func (c *capSpiral) evicted(s *targets.Session) (evicted, spiral bool) {
	if s.Cred < 0 || s.Cred >= len(c.signIns) || s.Index >= len(c.slotAt) {
		return false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	later := c.signIns[s.Cred] - c.slotAt[s.Index]
	if later == 0 {
		return false, false
	}
	c.evictions++
	if c.evictions != spiralEvictions {
		return true, false
	}
	// The bootstrap signs users in concurrently, so the order of their
	// sign-ins, and with it the exact cap, is not known: the cap is below
	// the families each user was given.
	c.problem = fmt.Sprintf("family-cap spiral: %d families were rejected right after a later sign-in of the same user, "+
		"so the server seems to keep fewer families per user than --families-per-user %d (a cap of %d or less): "+
		"lower --families-per-user below the server's cap, or give more users", c.evictions, c.perUser, max(c.perUser-1, 1))
	return true, true
}

// judgeHead judges the reply to a refresh of s's newest token. A
// rejection that looks like an eviction by the server's family cap is not
// the server's failure: it is indeterminate, and the third one stops the
// run as a configuration problem.
func (e *Engine) judgeHead(s *targets.Session, reply oracle.Reply) oracle.Judgement {
	j := oracle.Judge(oracle.Attempt{Family: s.Family, Token: s.Refresh}, e.cfg.Policy, e.cfg.TimingMargin, reply)
	if j.Outcome != oracle.FailUnexpectedLogout {
		return j
	}
	evicted, spiral := e.spiral.evicted(s)
	if evicted {
		j.Outcome = oracle.Indeterminate
		j.Detail = fmt.Sprintf("newest token rejected with %d right after a later sign-in of the same user: evicted by the server's family cap? (--families-per-user)", reply.Status)
	}
	if spiral {
		e.Stop()
	}
	return j
}

// Problem is the configuration problem found, "" when none.
func (c *capSpiral) Problem() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.problem
}
