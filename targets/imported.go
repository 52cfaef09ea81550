package targets

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Imported is a ready session read from a --cookies file: the tokens of
// a family signed in elsewhere (a browser, a fixture).
type Imported struct {
	Refresh string
	CSRF    string // "" to fetch it from the CSRF endpoint
	Access  string // may be ""
}

// LoadImported reads a --cookies file: CSV lines `refresh[,csrf[,access]]`,
// an optional header line `refresh,csrf,access`. Errors name the file and
// line but never echo a token.
func LoadImported(path string) ([]Imported, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cookies file: %w", err)
	}
	defer f.Close()
	return ParseImported(f, path)
}

// ParseImported reads imported sessions from r; name is used in errors.
func ParseImported(r io.Reader, name string) ([]Imported, error) {
	var out []Imported
	seen := map[string]int{}
	err := eachRecord(r, name, func(line int, rec []string, first bool) error {
		if first && strings.EqualFold(strings.TrimSpace(rec[0]), "refresh") {
			return nil // header
		}
		if len(rec) > 3 {
			return fmt.Errorf("%s:%d: want refresh[,csrf[,access]]; got %d fields", name, line, len(rec))
		}
		im := Imported{Refresh: strings.TrimSpace(rec[0])}
		if len(rec) > 1 {
			im.CSRF = strings.TrimSpace(rec[1])
		}
		if len(rec) > 2 {
			im.Access = strings.TrimSpace(rec[2])
		}
		if im.Refresh == "" {
			return fmt.Errorf("%s:%d: empty refresh token", name, line)
		}
		for col, v := range []string{im.Refresh, im.CSRF, im.Access} {
			if bad := badCookieByte(v); bad >= 0 {
				return fmt.Errorf("%s:%d: field %d holds byte 0x%02x at offset %d, not allowed in a cookie value (value not shown)",
					name, line, col+1, v[bad], bad)
			}
		}
		if prev, dup := seen[im.Refresh]; dup {
			return fmt.Errorf("%s:%d: same refresh token as line %d", name, line, prev)
		}
		seen[im.Refresh] = line
		out = append(out, im)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no sessions (want lines refresh[,csrf[,access]])", name)
	}
	return out, nil
}

// AdoptImported gives session k the k-th imported family, fetching CSRF
// tokens that the file left out, and makes every session idle. The family
// id is learned from the first refresh. Slots beyond len(ims) are an error.
func (p *Pool) AdoptImported(ctx context.Context, c *http.Client, ims []Imported) error {
	if len(ims) < len(p.sessions) {
		return fmt.Errorf("%d sessions but the cookies file has %d", len(p.sessions), len(ims))
	}
	now := time.Now()
	for i, s := range p.sessions {
		im := ims[i]
		if im.CSRF == "" {
			csrf, err := p.profile.FetchCSRF(ctx, c, im.Refresh, im.Access)
			if err != nil {
				return fmt.Errorf("cookies line of session %d: %w", i+1, err)
			}
			im.CSRF = csrf
		}
		s.Cred = -1
		s.Adopt(Family{Refresh: im.Refresh, Access: im.Access, CSRF: im.CSRF}, p.familyFP(s, ""), now)
	}
	for _, s := range p.sessions {
		p.idle <- s
	}
	return nil
}

// LearnFamily records the family id of an imported session once a
// response names it.
func (p *Pool) LearnFamily(s *Session, id string) {
	s.Family = id
	s.familyFP = []string{p.fp.Of(id)}
}

// badCookieByte is the index of the first byte that cannot be sent in a
// cookie value or header (RFC 6265 cookie-octet, without the quote), or -1.
func badCookieByte(v string) int {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return i
		}
	}
	return -1
}
