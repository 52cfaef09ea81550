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
		t.Header, t.Body = s.Header(), s.Body()
		return nil
	}
}
