package targets

import (
	"fmt"
	"os"
	"strings"
)

// Profile kinds.
const (
	KindCookie = "cookie"
	KindOAuth2 = "oauth2"
	KindJSON   = "json"
)

// Kinds lists the profile kinds for usage text.
const Kinds = "cookie|oauth2|json"

// ProfileConfig is the scenario's `profile:` section for every kind; each
// kind reads its own keys and ignores the others. Endpoint URLs may be
// paths ("/oauth2/token"), taken relative to the target.
type ProfileConfig struct {
	Kind string `yaml:"kind"`

	CookieConfig `yaml:",inline"`

	TokenURL         string `yaml:"token_url"`
	ClientID         string `yaml:"client_id"`
	ClientSecret     string `yaml:"client_secret"`
	ClientSecretEnv  string `yaml:"client_secret_env"`
	ClientAuth       string `yaml:"client_auth"`
	Scope            string `yaml:"scope"`
	UserinfoURL      string `yaml:"userinfo_url"`
	IntrospectionURL string `yaml:"introspection_url"`

	SignInURL      string `yaml:"sign_in_url"`
	RefreshURL     string `yaml:"refresh_url"`
	RefreshField   string `yaml:"refresh_field"`
	RefreshTokenAt string `yaml:"refresh_token_path"`
	AccessTokenAt  string `yaml:"access_token_path"`
	AccessCheckURL string `yaml:"access_check_url"`
}

// Default endpoint paths of the token profiles (those of the embedded
// authserver).
const (
	DefaultTokenPath      = "/oauth2/token"
	DefaultJSONSignInPath = "/api/json/sign-in"
	DefaultJSONRefresh    = "/api/json/refresh"
)

// NewProfile builds the profile cfg.Kind names against target (the base
// URL that relative endpoint paths hang off).
func NewProfile(cfg ProfileConfig, target string) (Profile, error) {
	base := strings.TrimRight(target, "/")
	abs := func(u, def string) string {
		if u == "" {
			u = def
		}
		if strings.HasPrefix(u, "/") && base != "" {
			return base + u
		}
		return u
	}
	switch cfg.Kind {
	case "", KindCookie:
		c := cfg.CookieConfig
		c.BaseURL = target
		return NewCookieProfile(c)
	case KindOAuth2:
		secret := cfg.ClientSecret
		if secret == "" && cfg.ClientSecretEnv != "" {
			secret = os.Getenv(cfg.ClientSecretEnv)
			if secret == "" {
				return nil, fmt.Errorf("profile client_secret_env: environment variable %s is unset or empty", cfg.ClientSecretEnv)
			}
		}
		return NewOAuth2Profile(OAuth2Config{
			TokenURL: abs(cfg.TokenURL, DefaultTokenPath), ClientID: cfg.ClientID, ClientSecret: secret,
			ClientAuth: cfg.ClientAuth, Scope: cfg.Scope,
			UserinfoURL: abs(cfg.UserinfoURL, ""), IntrospectionURL: abs(cfg.IntrospectionURL, ""),
		})
	case KindJSON:
		return NewJSONProfile(JSONConfig{
			SignInURL: abs(cfg.SignInURL, DefaultJSONSignInPath), RefreshURL: abs(cfg.RefreshURL, DefaultJSONRefresh),
			IdentifierField: cfg.IdentifierField, PasswordField: cfg.PasswordField,
			RefreshField: cfg.RefreshField, RefreshPath: cfg.RefreshTokenAt, AccessPath: cfg.AccessTokenAt,
			AccessCheckURL: abs(cfg.AccessCheckURL, ""),
		})
	}
	return nil, fmt.Errorf("profile kind %q: want %s", cfg.Kind, Kinds)
}
