package authserver

import (
	"fmt"
	"sort"
)

// Issued is a family signed in without HTTP: the values a client would
// hold after a sign-in and a CSRF fetch.
type Issued struct {
	Refresh string
	CSRF    string
	Access  string
}

// Issue signs in n new families exactly as the sign-in endpoint would,
// spread round-robin over the users in identifier order, and hands each to
// emit. It lets `serve --write-cookies` prepare a million ready sessions
// without a million HTTP sign-ins. The user family cap applies: n beyond
// users × cap would revoke the oldest families, so it is refused.
func (s *Server) Issue(n int, emit func(Issued) error) error {
	ids := make([]string, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if limit := len(ids) * s.cfg.FamilyCap; n > limit {
		return fmt.Errorf("%d sessions need more than %d users at a family cap of %d (raise --demo-users or --family-cap)", n, len(ids), s.cfg.FamilyCap)
	}
	for i := 0; i < n; i++ {
		now := s.nowNs()
		f, raw := s.newFamily(s.users[ids[i%len(ids)]], now)
		if err := emit(Issued{Refresh: raw, CSRF: f.csrf, Access: s.newAccessToken(f.key, now+s.accessTTL)}); err != nil {
			return err
		}
	}
	return nil
}
