package targets

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// JSONConfig configures the json profile: sign-in and refresh are JSON
// POSTs, the tokens come back in the JSON answer.
type JSONConfig struct {
	SignInURL       string
	RefreshURL      string
	IdentifierField string // default "identifier"
	PasswordField   string // default "password"
	RefreshField    string // the request field carrying the token; default "refresh_token"
	// RefreshPath and AccessPath are dotted paths of the new tokens in
	// the answer; defaults "refresh_token" and "access_token".
	RefreshPath string
	AccessPath  string
	// AccessCheckURL is asked with the access token as a Bearer; "" means
	// access is not checked.
	AccessCheckURL string
}

// JSONProfile is a refresh protocol with JSON bodies and no cookies.
type JSONProfile struct {
	cfg         JSONConfig
	jsonCT      []string
	head        string // `{"<refresh field>":`
	refreshPath []string
	accessPath  []string
}

// NewJSONProfile validates cfg and returns the profile.
func NewJSONProfile(cfg JSONConfig) (*JSONProfile, error) {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&cfg.IdentifierField, "identifier")
	def(&cfg.PasswordField, "password")
	def(&cfg.RefreshField, "refresh_token")
	def(&cfg.RefreshPath, "refresh_token")
	def(&cfg.AccessPath, "access_token")
	for _, u := range []struct{ key, v string }{{"sign_in_url", cfg.SignInURL}, {"refresh_url", cfg.RefreshURL}} {
		if err := validURL(u.key, u.v); err != nil {
			return nil, err
		}
	}
	if cfg.AccessCheckURL != "" {
		if err := validURL("access_check_url", cfg.AccessCheckURL); err != nil {
			return nil, err
		}
	}
	rp, err := splitPath("refresh_path", cfg.RefreshPath)
	if err != nil {
		return nil, err
	}
	ap, err := splitPath("access_path", cfg.AccessPath)
	if err != nil {
		return nil, err
	}
	field, _ := json.Marshal(cfg.RefreshField)
	return &JSONProfile{cfg: cfg, jsonCT: []string{"application/json"}, head: "{" + string(field) + ":",
		refreshPath: rp, accessPath: ap}, nil
}

func splitPath(key, path string) ([]string, error) {
	parts := strings.Split(path, ".")
	for _, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("profile %s %q: want dotted field names like data.refresh_token", key, path)
		}
	}
	return parts, nil
}

func (p *JSONProfile) Name() string          { return "json" }
func (p *JSONProfile) RefreshMethod() string { return http.MethodPost }
func (p *JSONProfile) RefreshURL() string    { return p.cfg.RefreshURL }
func (p *JSONProfile) UsesCSRF() bool        { return false }

// ChecksAccess: only with access_check_url.
func (p *JSONProfile) ChecksAccess() bool { return p.cfg.AccessCheckURL != "" }

// FetchCSRF: the json profile has no CSRF token.
func (p *JSONProfile) FetchCSRF(context.Context, *http.Client, string, string) (string, error) {
	return "", nil
}

// WriteRefresh returns `{"<refresh field>":"<token>"}`; csrf is ignored.
func (p *JSONProfile) WriteRefresh(h http.Header, token, _ string) []byte {
	h["Content-Type"] = p.jsonCT
	h["Accept"] = p.jsonCT
	tok, _ := json.Marshal(token)
	b := make([]byte, 0, len(p.head)+len(tok)+1)
	b = append(b, p.head...)
	b = append(b, tok...)
	return append(b, '}')
}

// ParseRefresh reads the new tokens at their paths; 401, 403 and
// invalid_grant refuse the token.
func (p *JSONProfile) ParseRefresh(status int, _ http.Header, body []byte) oracle.Reply {
	r := oracle.Reply{Status: status}
	if status < 200 || status > 299 {
		readTokenError(&r, body, status == http.StatusUnauthorized || status == http.StatusForbidden)
		return r
	}
	p.parseTokens(&r, body)
	return r
}

func (p *JSONProfile) parseTokens(r *oracle.Reply, body []byte) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		r.Malformed = "body is not JSON: " + shortErr(err)
		return
	}
	r.NewRefresh, _ = lookup(v, p.refreshPath).(string)
	r.NewAccess, _ = lookup(v, p.accessPath).(string)
	r.Kept = r.NewRefresh == ""
}

func lookup(v any, path []string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// SignIn posts the credentials to the sign-in URL.
func (p *JSONProfile) SignIn(ctx context.Context, c *http.Client, cred Credential) (Family, error) {
	body, _ := json.Marshal(map[string]string{p.cfg.IdentifierField: cred.Identifier, p.cfg.PasswordField: cred.Password})
	return tokenSignIn(ctx, c, p.cfg.SignInURL, p.jsonCT[0], nil, body, cred.Password, p.parseTokens)
}

// CheckAccess asks access_check_url with the access token as a Bearer.
func (p *JSONProfile) CheckAccess(ctx context.Context, c *http.Client, access string) (int, error) {
	if p.cfg.AccessCheckURL == "" {
		return 0, ErrNoAccessCheck
	}
	return checkBearer(ctx, c, p.cfg.AccessCheckURL, access)
}
