package targets

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// ConfigError is a target rejecting the harness's own configuration (an
// OAuth 2.0 client it does not know, a grant the client may not use).
// Retrying or re-signing in cannot help: the run stops with exit 3.
type ConfigError struct {
	Step string
	Code string // the error code the target sent
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s: configuration error: the target answered %s (check client id, secret and client auth)", e.Step, e.Code)
}

// clientErrors are the RFC 6749 error codes that blame the client, not
// the token.
func clientError(code string) bool {
	return code == "invalid_client" || code == "unauthorized_client"
}

// readTokenError fills the rejection facts shared by the token profiles:
// invalid_grant refuses the token, invalid_client and unauthorized_client
// blame the configuration, and other codes are left for the oracle to
// judge by what the token did next.
func readTokenError(r *oracle.Reply, body []byte, refusedStatus bool) {
	r.ErrorCode = errorCode(body)
	switch {
	case clientError(r.ErrorCode):
		r.ConfigError = r.ErrorCode
	case r.ErrorCode == "invalid_grant" || refusedStatus:
		r.Refused = true
	}
}

// tokenReply is an RFC 6749 §5.1 access token response.
type tokenReply struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
}

// parseTokenReply reads a successful token response: the new refresh
// token, or Kept when the server issued none.
func parseTokenReply(r *oracle.Reply, body []byte) {
	var t tokenReply
	if err := json.Unmarshal(body, &t); err != nil {
		r.Malformed = "body is not a JSON token response: " + shortErr(err)
		return
	}
	if t.AccessToken == "" {
		r.Malformed = "token response without access_token"
		return
	}
	r.NewAccess, r.NewRefresh = t.AccessToken, t.RefreshToken
	r.Kept = t.RefreshToken == ""
}

// checkBearer asks url whether access works, presenting it as a Bearer
// token (userinfo, or any endpoint that needs the access token).
func checkBearer(ctx context.Context, c *http.Client, url, access string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+access)
	status, _, _, err := do(c, req)
	return status, err
}

// validURL checks that a configured endpoint is an absolute http(s) URL.
func validURL(key, u string) error {
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return fmt.Errorf("profile %s %q: want an http:// or https:// URL", key, u)
	}
	return nil
}
