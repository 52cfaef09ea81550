// Package fositeserver is a tiny OAuth 2.0 token server built on
// github.com/ory/fosite, code no one in this project wrote: the interop
// test runs refreshstorm's oauth2 profile against it over real HTTP.
package fositeserver

import (
	"fmt"
	"net/http"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/storage"
	"golang.org/x/crypto/bcrypt"
)

// Client credentials of the server's one confidential client.
const (
	ClientID     = "refreshstorm"
	ClientSecret = "interop-secret"
	Scope        = "offline"
)

// New returns the token endpoint (/token) and RFC 7662 introspection
// (/introspect) of a fosite provider with password and refresh_token
// grants, for users user-0001..user-NNNN with passwords pw-user-NNNN.
func New(users int) (http.Handler, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(ClientSecret), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	store := storage.NewMemoryStore()
	store.Clients[ClientID] = &fosite.DefaultClient{
		ID: ClientID, Secret: hash,
		GrantTypes: []string{"password", "refresh_token"},
		Scopes:     []string{Scope},
	}
	for i := 1; i <= users; i++ {
		id := fmt.Sprintf("user-%04d", i)
		store.Users[id] = storage.MemoryUserRelation{Username: id, Password: "pw-" + id}
	}
	cfg := &fosite.Config{
		AccessTokenLifespan:  10 * time.Minute,
		RefreshTokenLifespan: time.Hour,
		GlobalSecret:         []byte("refreshstorm-interop-fosite-hmac"),
		ScopeStrategy:        fosite.ExactScopeStrategy,
	}
	// fosite fills these in lazily on first use, from every request's
	// goroutine at once (a data race): set them up front.
	cfg.ClientSecretsHasher = &fosite.BCrypt{Config: cfg}
	cfg.AudienceMatchingStrategy = fosite.DefaultAudienceMatchingStrategy
	provider := compose.Compose(cfg, store, compose.NewOAuth2HMACStrategy(cfg),
		compose.OAuth2ResourceOwnerPasswordCredentialsFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2TokenIntrospectionFactory,
	)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		req, err := provider.NewAccessRequest(ctx, r, new(fosite.DefaultSession))
		if err != nil {
			provider.WriteAccessError(ctx, w, req, err)
			return
		}
		if req.GetGrantTypes().ExactOne("password") {
			for _, s := range req.GetRequestedScopes() {
				req.GrantScope(s)
			}
		}
		resp, err := provider.NewAccessResponse(ctx, req)
		if err != nil {
			provider.WriteAccessError(ctx, w, req, err)
			return
		}
		provider.WriteAccessResponse(ctx, w, req, resp)
	})
	mux.HandleFunc("POST /introspect", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ir, err := provider.NewIntrospectionRequest(ctx, r, new(fosite.DefaultSession))
		if err != nil {
			provider.WriteIntrospectionError(ctx, w, err)
			return
		}
		provider.WriteIntrospectionResponse(ctx, w, ir)
	})
	return mux, nil
}
