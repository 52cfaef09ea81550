package targets

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// Family is what a sign-in yields: a new token family.
type Family struct {
	// ID is the server's family id; "" when the protocol names none (the
	// family is then the chain rooted in this sign-in).
	ID      string
	Refresh string
	Access  string
	CSRF    string
	// CookieProblem is what was wrong with the attributes of a token
	// cookie set at sign-in or with the CSRF answer; "" if nothing.
	CookieProblem string
}

// Profile is one refresh protocol. The engine, the chaos and the probe
// talk to a target only through it: a profile builds the whole refresh
// request (headers and body) and reads the whole reply, so a new protocol
// is a new implementation, not an engine change.
type Profile interface {
	// Name identifies the profile in config and results.
	Name() string
	// SignIn creates a family for cred (with its CSRF token, if any).
	SignIn(ctx context.Context, c *http.Client, cred Credential) (Family, error)
	// FetchCSRF asks for the CSRF token of the family that refresh (and
	// access, when known) belong to: for imported sessions. Profiles
	// without CSRF return "".
	FetchCSRF(ctx context.Context, c *http.Client, refresh, access string) (string, error)
	// RefreshMethod and RefreshURL address the refresh endpoint.
	RefreshMethod() string
	RefreshURL() string
	// WriteRefresh writes into h the headers of a refresh presenting
	// token with csrf ("" leaves the CSRF token out) and returns its body
	// (nil for none). Values already in h are overwritten, in place where
	// they can be; the body is a new slice that is never changed later, so
	// every request built from it may share it without a copy.
	WriteRefresh(h http.Header, token, csrf string) []byte
	// ParseRefresh reads a refresh response into facts for the oracle.
	// Strings of the Reply may be views of body (FamilyID is, for the
	// cookie profile): a caller that reuses body copies what it keeps.
	ParseRefresh(status int, h http.Header, body []byte) oracle.Reply
	// CheckAccess asks whether access still works; it returns the HTTP
	// status of the check.
	CheckAccess(ctx context.Context, c *http.Client, access string) (int, error)
	// UsesCSRF reports whether refreshes carry a CSRF token at all, so
	// that CSRF tampering means something.
	UsesCSRF() bool
}

// NewRefreshRequest builds a refresh request of p presenting token with csrf.
func NewRefreshRequest(ctx context.Context, p Profile, token, csrf string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, p.RefreshMethod(), p.RefreshURL(), nil)
	if err != nil {
		return nil, err
	}
	SetRefresh(req, p, token, csrf)
	return req, nil
}

// SetRefresh makes req present token with csrf instead of what it carried:
// headers and body are rewritten by the profile.
func SetRefresh(req *http.Request, p Profile, token, csrf string) {
	setBody(req, p.WriteRefresh(req.Header, token, csrf))
}

func setBody(req *http.Request, body []byte) {
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
		return
	}
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Body, _ = req.GetBody()
}

// CloneRequest copies req with its own reader over the same body bytes,
// for a duplicate sent at the same time.
func CloneRequest(req *http.Request) *http.Request {
	c := req.Clone(req.Context())
	if req.GetBody != nil {
		if b, err := req.GetBody(); err == nil {
			c.Body = b
		}
	}
	return c
}
