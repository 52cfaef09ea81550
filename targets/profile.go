package targets

import (
	"context"
	"net/http"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// Family is what a sign-in yields: a new token family.
type Family struct {
	ID      string
	Refresh string
	Access  string
	CSRF    string
	// CookieProblem is what was wrong with the attributes of a token
	// cookie set at sign-in or with the CSRF answer; "" if nothing.
	CookieProblem string
}

// Profile is one refresh protocol. The engine only talks to a target
// through it, so other protocols (OAuth 2.0 refresh_token grants, JSON-body
// variants) are new implementations, not engine changes.
type Profile interface {
	// Name identifies the profile in config and results.
	Name() string
	// SignIn creates a family for cred, including its CSRF token.
	SignIn(ctx context.Context, c *http.Client, cred Credential) (Family, error)
	// FetchCSRF asks for the CSRF token of the family that refresh (and
	// access, when known) belong to: for imported sessions.
	FetchCSRF(ctx context.Context, c *http.Client, refresh, access string) (string, error)
	// RefreshMethod and RefreshURL address the refresh endpoint.
	RefreshMethod() string
	RefreshURL() string
	// FillRefreshHeader writes the headers of a refresh presenting token,
	// with csrf as the CSRF header ("" leaves the header out).
	FillRefreshHeader(h http.Header, token, csrf string)
	// ParseRefresh reads a refresh response into facts for the oracle.
	ParseRefresh(status int, h http.Header, body []byte) oracle.Reply
	// CheckAccess asks the session endpoint whether access still works;
	// it returns the HTTP status.
	CheckAccess(ctx context.Context, c *http.Client, access string) (int, error)
}
