package targets

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
)

// Pool holds the virtual sessions and leases idle ones to requests. A
// leased session belongs to its holder until Release; the idle queue is
// the only shared state and a channel guards it.
type Pool struct {
	profile  Profile
	fp       *Fingerprinter
	sessions []*Session
	idle     chan *Session
	headers  chan http.Header // spare header maps for requests being built
	dropped  atomic.Uint64
}

// spareHeaders bounds the free list of header maps: more requests than
// this being built at once only cost a new map each.
const spareHeaders = 1024

// NewPool makes n signed-out sessions for profile.
func NewPool(n int, profile Profile, fp *Fingerprinter) *Pool {
	p := &Pool{
		profile:  profile,
		fp:       fp,
		sessions: make([]*Session, n),
		idle:     make(chan *Session, n),
		headers:  make(chan http.Header, spareHeaders),
	}
	for i := range p.sessions {
		p.sessions[i] = &Session{Index: i, fpHdr: []string{fp.Of(fmt.Sprintf("session/%d", i))}, profile: profile}
	}
	return p
}

// Profile is the protocol the pool's sessions speak.
func (p *Pool) Profile() Profile { return p.profile }

// Fingerprinter is the run's fingerprinter.
func (p *Pool) Fingerprinter() *Fingerprinter { return p.fp }

// Len is the number of sessions.
func (p *Pool) Len() int { return len(p.sessions) }

// Session returns the session in slot i. Only the lease holder may use it.
func (p *Pool) Session(i int) *Session {
	if i < 0 || i >= len(p.sessions) {
		return nil
	}
	return p.sessions[i]
}

// TryLease takes an idle session without waiting; nil when none is idle.
func (p *Pool) TryLease() *Session {
	select {
	case s := <-p.idle:
		return s
	default:
		return nil
	}
}

// Release hands a leased session back to the idle queue.
func (p *Pool) Release(s *Session) { p.idle <- s }

// Idle is how many sessions wait for a lease now.
func (p *Pool) Idle() int { return len(p.idle) }

// Dropped counts pacer ticks that found no idle session.
func (p *Pool) Dropped() uint64 { return p.dropped.Load() }

// Drain takes every session out of the idle queue, waiting for none; it
// returns how many it took. Used at the end of a run to read final states.
func (p *Pool) Drain() int {
	n := 0
	for {
		select {
		case <-p.idle:
			n++
		default:
			return n
		}
	}
}

// Sessions returns all sessions; only safe when no lease is outstanding.
func (p *Pool) Sessions() []*Session { return p.sessions }

// Compact copies every session's long-lived state into fresh memory, in
// slot order, and lets go of the old copies. After a bootstrap the
// sessions' strings sit among the garbage of a million sign-in responses
// or of the parsed cookies file (a token kept as a view keeps its whole
// line), and a page with one live string cannot be returned to the
// system: compacting turns that scattered heap into dense pages and the
// rest into pages the runtime can give back. Call it only when no lease
// is out (right after the bootstrap).
func (p *Pool) Compact() {
	p.Drain()
	for i, s := range p.sessions {
		c := new(Session)
		*c = *s
		c.fpHdr = []string{strings.Clone(s.FP())}
		c.Family = strings.Clone(s.Family)
		c.familyFP = []string{strings.Clone(s.FamilyFP())}
		c.Refresh, c.Access, c.CSRF = strings.Clone(s.Refresh), strings.Clone(s.Access), strings.Clone(s.CSRF)
		c.CookieProblem = strings.Clone(s.CookieProblem)
		for k := range c.ancestors[:c.nAnc] {
			c.ancestors[k].token = strings.Clone(s.ancestors[k].token)
		}
		c.slotHdr, c.header, c.leased = nil, nil, nil
		c.rebuildHeader()
		p.sessions[i] = c
	}
	for _, s := range p.sessions {
		if !s.Lost {
			p.idle <- s
		}
	}
}
