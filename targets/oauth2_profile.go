package targets

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/refreshstorm/refreshstorm/internal/scrub"
	"github.com/refreshstorm/refreshstorm/oracle"
)

// Client authentication methods of the oauth2 profile.
const (
	ClientAuthBasic = "basic" // client_secret_basic: HTTP Basic with id and secret
	ClientAuthPost  = "post"  // client_secret_post: id and secret in the form
	ClientAuthNone  = "none"  // a public client: client_id in the form only
)

// OAuth2Config configures the oauth2 profile: an RFC 6749 token endpoint.
type OAuth2Config struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	ClientAuth   string // basic | post | none; "" = basic with a secret, none without
	Scope        string
	// UserinfoURL and IntrospectionURL check access tokens (a Bearer GET,
	// or an RFC 7662 introspection POST); neither set means access is not
	// checked.
	UserinfoURL      string
	IntrospectionURL string
}

// OAuth2Profile speaks RFC 6749 §6: refresh_token grants form-posted to a
// token endpoint, new tokens in the JSON answer. Families carry no id: a
// family is the chain rooted in one sign-in.
type OAuth2Profile struct {
	cfg      OAuth2Config
	basic    []string // Authorization header value, nil unless basic
	formCT   []string
	accept   []string
	formTail string // "&scope=…&client_id=…" after the refresh token
	authTail string // client credentials for the form, "" under basic
}

// NewOAuth2Profile validates cfg and returns the profile. The client
// secret is registered with the scrubber.
func NewOAuth2Profile(cfg OAuth2Config) (*OAuth2Profile, error) {
	if err := validURL("token_url", cfg.TokenURL); err != nil {
		return nil, err
	}
	for _, u := range []struct{ key, v string }{{"userinfo_url", cfg.UserinfoURL}, {"introspection_url", cfg.IntrospectionURL}} {
		if u.v != "" {
			if err := validURL(u.key, u.v); err != nil {
				return nil, err
			}
		}
	}
	if cfg.ClientAuth == "" {
		cfg.ClientAuth = ClientAuthBasic
		if cfg.ClientSecret == "" {
			cfg.ClientAuth = ClientAuthNone
		}
	}
	switch cfg.ClientAuth {
	case ClientAuthBasic, ClientAuthPost:
		if cfg.ClientID == "" || cfg.ClientSecret == "" {
			return nil, fmt.Errorf("profile client_auth %s needs client_id and a client secret (client_secret, client_secret_env or --client-secret)", cfg.ClientAuth)
		}
	case ClientAuthNone:
		if cfg.ClientID == "" {
			return nil, errors.New("profile client_auth none needs client_id")
		}
	default:
		return nil, fmt.Errorf("profile client_auth %q: want basic, post or none", cfg.ClientAuth)
	}
	scrub.Register(cfg.ClientSecret)
	p := &OAuth2Profile{
		cfg:    cfg,
		formCT: []string{"application/x-www-form-urlencoded"},
		accept: []string{"application/json"},
	}
	switch cfg.ClientAuth {
	case ClientAuthBasic:
		// RFC 6749 §2.3.1: id and secret are form-encoded before Basic.
		raw := url.QueryEscape(cfg.ClientID) + ":" + url.QueryEscape(cfg.ClientSecret)
		p.basic = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}
		scrub.Register(p.basic[0], base64.StdEncoding.EncodeToString([]byte(raw)))
	case ClientAuthPost:
		p.authTail = "&client_id=" + url.QueryEscape(cfg.ClientID) + "&client_secret=" + url.QueryEscape(cfg.ClientSecret)
		scrub.Register(url.QueryEscape(cfg.ClientSecret))
	default:
		p.authTail = "&client_id=" + url.QueryEscape(cfg.ClientID)
	}
	if cfg.Scope != "" {
		p.formTail = "&scope=" + url.QueryEscape(cfg.Scope)
	}
	p.formTail += p.authTail
	return p, nil
}

func (p *OAuth2Profile) Name() string          { return "oauth2" }
func (p *OAuth2Profile) RefreshMethod() string { return http.MethodPost }
func (p *OAuth2Profile) RefreshURL() string    { return p.cfg.TokenURL }
func (p *OAuth2Profile) UsesCSRF() bool        { return false }

// ChecksAccess: only with a userinfo or introspection endpoint.
func (p *OAuth2Profile) ChecksAccess() bool {
	return p.cfg.UserinfoURL != "" || p.cfg.IntrospectionURL != ""
}

// FetchCSRF: OAuth 2.0 has no CSRF token.
func (p *OAuth2Profile) FetchCSRF(context.Context, *http.Client, string, string) (string, error) {
	return "", nil
}

// WriteRefresh writes the form headers and returns the form body of a
// refresh_token grant; csrf is ignored.
func (p *OAuth2Profile) WriteRefresh(h http.Header, token, _ string) []byte {
	h["Content-Type"] = p.formCT
	h["Accept"] = p.accept
	if p.basic != nil {
		h["Authorization"] = p.basic
	}
	const head = "grant_type=refresh_token&refresh_token="
	esc := url.QueryEscape(token)
	b := make([]byte, 0, len(head)+len(esc)+len(p.formTail))
	b = append(b, head...)
	b = append(b, esc...)
	return append(b, p.formTail...)
}

// ParseRefresh reads an RFC 6749 §5.1 answer or a §5.2 error.
func (p *OAuth2Profile) ParseRefresh(status int, _ http.Header, body []byte) oracle.Reply {
	r := oracle.Reply{Status: status}
	if status < 200 || status > 299 {
		readTokenError(&r, body, false)
		return r
	}
	parseTokenReply(&r, body)
	return r
}

// SignIn uses the resource owner password grant.
func (p *OAuth2Profile) SignIn(ctx context.Context, c *http.Client, cred Credential) (Family, error) {
	form := "grant_type=password&username=" + url.QueryEscape(cred.Identifier) +
		"&password=" + url.QueryEscape(cred.Password) + p.formTail
	return tokenSignIn(ctx, c, p.cfg.TokenURL, p.formCT[0], p.basic, []byte(form), cred.Password, parseTokenReply)
}

// tokenSignIn posts a sign-in body and reads a token answer; shared by the
// token profiles.
func tokenSignIn(ctx context.Context, c *http.Client, url, ct string, auth []string, body []byte, password string, parse func(*oracle.Reply, []byte)) (Family, error) {
	var f Family
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		return f, err
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	if auth != nil {
		req.Header["Authorization"] = auth
	}
	status, h, resp, err := do(c, req)
	if err != nil {
		return f, fmt.Errorf("sign-in: %s", scrub.Error(err, password))
	}
	if status != http.StatusOK {
		code := scrub.Text(errorCode(resp), password)
		if clientError(code) {
			return f, &ConfigError{Step: "sign-in", Code: code}
		}
		return f, &StatusError{Step: "sign-in", Status: status, Code: code, RetryAfter: retryAfter(h)}
	}
	var r oracle.Reply
	parse(&r, resp)
	switch {
	case r.Malformed != "":
		return f, &ProtocolError{"sign-in", r.Malformed}
	case r.NewRefresh == "":
		return f, &ProtocolError{"sign-in", "200 without a refresh token (does the client need a scope like offline_access?)"}
	}
	f.Refresh, f.Access = r.NewRefresh, r.NewAccess
	return f, nil
}

// CheckAccess asks userinfo (a Bearer GET) or the introspection endpoint
// whether access still works. An inactive introspection answer reads as
// 401. Without either endpoint it returns ErrNoAccessCheck.
func (p *OAuth2Profile) CheckAccess(ctx context.Context, c *http.Client, access string) (int, error) {
	switch {
	case p.cfg.IntrospectionURL != "":
		return p.introspect(ctx, c, access)
	case p.cfg.UserinfoURL != "":
		return checkBearer(ctx, c, p.cfg.UserinfoURL, access)
	}
	return 0, ErrNoAccessCheck
}

// ErrNoAccessCheck: the profile has no way to check an access token.
var ErrNoAccessCheck = errors.New("no access check configured")

func (p *OAuth2Profile) introspect(ctx context.Context, c *http.Client, access string) (int, error) {
	form := "token=" + url.QueryEscape(access) + "&token_type_hint=access_token" + p.authTail
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.IntrospectionURL, strings.NewReader(form))
	if err != nil {
		return 0, err
	}
	req.Header["Content-Type"] = p.formCT
	req.Header["Accept"] = p.accept
	if p.basic != nil {
		req.Header["Authorization"] = p.basic
	}
	status, _, body, err := do(c, req)
	if err != nil || status != http.StatusOK {
		return status, err
	}
	var v struct {
		Active bool `json:"active"`
	}
	if json.Unmarshal(body, &v) != nil || !v.Active {
		return http.StatusUnauthorized, nil
	}
	return http.StatusOK, nil
}
