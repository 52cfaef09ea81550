package targets

import (
	"net/http"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

var droppedHeader = http.Header{SessionHeader: {DroppedSlot}}

// Targeter returns a vegeta Targeter that builds each refresh from a
// leased session. It never blocks: a tick that finds no idle session is
// counted as dropped and marked so the transport answers it without
// sending anything. assign, if set, tags the lease (e.g. with chaos).
func (p *Pool) Targeter(assign func(*Session)) vegeta.Targeter {
	method, url := p.profile.RefreshMethod(), p.profile.RefreshURL()
	return func(t *vegeta.Target) error {
		t.Method, t.URL = method, url
		s := p.TryLease()
		if s == nil {
			p.dropped.Add(1)
			t.Header, t.Body = droppedHeader, nil
			return nil
		}
		if assign != nil {
			assign(s)
		}
		h := p.lendHeader()
		s.fillHeader(h)
		s.leased = h
		t.Header, t.Body = h, s.Body()
		return nil
	}
}

// lendHeader takes a header map for one request from the free list, or
// makes one: there are as many in use as requests being built, not one
// per session.
func (p *Pool) lendHeader() http.Header {
	select {
	case h := <-p.headers:
		return h
	default:
		return make(http.Header, 8)
	}
}

// Sent tells the pool that the request of s's lease has been built
// (vegeta copies the target's header into the request before sending it),
// so the header map lent for it can serve another request.
func (p *Pool) Sent(s *Session) {
	h := s.leased
	if h == nil {
		return
	}
	s.leased = nil
	select {
	case p.headers <- h:
	default: // enough spares: let it go
	}
}
