package authserver

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// OAuth 2.0 and JSON endpoint paths.
const (
	PathToken      = "/oauth2/token"
	PathIntrospect = "/oauth2/introspect"
	PathUserinfo   = "/oauth2/userinfo"
	PathMetadata   = "/.well-known/oauth-authorization-server"

	PathJSONSignIn  = "/api/json/sign-in"
	PathJSONRefresh = "/api/json/refresh"
	PathJSONMe      = "/api/json/me"
)

// The demo clients registered when Config.Clients is nil.
const (
	DemoClientID     = "refreshstorm"
	DemoClientSecret = "refreshstorm-demo-secret"
	PublicClientID   = "refreshstorm-public"
)

// OAuth 2.0 error codes (RFC 6749 §5.2).
const (
	ErrInvalidGrant       = "invalid_grant"
	ErrInvalidClient      = "invalid_client"
	ErrUnsupportedGrant   = "unsupported_grant_type"
	ErrInvalidToken       = "invalid_token"
	ErrUnauthorizedClient = "unauthorized_client"
)

// client authenticates the request's client (HTTP Basic, or client_id and
// client_secret in the form; a public client sends only client_id).
func (s *Server) client(r *http.Request) (string, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: both parts are form-encoded inside Basic.
		var e1, e2 error
		id, e1 = url.QueryUnescape(id)
		secret, e2 = url.QueryUnescape(secret)
		if e1 != nil || e2 != nil {
			return "", false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	want, known := s.cfg.Clients[id]
	if !known || id == "" {
		return "", false
	}
	if want == "" {
		return id, secret == "" // a public client has no secret to present
	}
	return id, subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInBody)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, ErrInvalidRequest)
		return
	}
	if _, ok := s.client(r); !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="refreshstorm"`)
		writeError(w, http.StatusUnauthorized, ErrInvalidClient)
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "password":
		s.passwordGrant(w, r.PostForm.Get("username"), r.PostForm.Get("password"), false)
	case "refresh_token":
		s.tokenRefresh(w, r, r.PostForm.Get("refresh_token"), false)
	default:
		writeError(w, http.StatusBadRequest, ErrUnsupportedGrant)
	}
}

// passwordGrant signs the user in and answers with tokens; asJSON picks
// the JSON endpoints' error shape (401 instead of 400 invalid_grant).
func (s *Server) passwordGrant(w http.ResponseWriter, id, pw string, asJSON bool) {
	if id == "" || pw == "" {
		writeError(w, http.StatusBadRequest, ErrInvalidRequest)
		return
	}
	u := s.users[id]
	if u == nil || subtle.ConstantTimeCompare([]byte(pw), []byte(u.password)) != 1 {
		status, code := http.StatusBadRequest, ErrInvalidGrant
		if asJSON {
			status, code = http.StatusUnauthorized, ErrInvalidCredentials
		}
		writeError(w, status, code)
		return
	}
	now := s.nowNs()
	f, raw := s.newFamily(u, now)
	s.writeTokens(w, f, raw, now)
}

// tokenRefresh runs a refresh_token grant over the rotation core.
func (s *Server) tokenRefresh(w http.ResponseWriter, r *http.Request, text string, asJSON bool) {
	s.st.refreshes.Add(1)
	if !s.admitRefresh(r.Context()) {
		return
	}
	now := s.nowNs()
	s.maybeSweep(now)
	refused := func(code string) {
		status := http.StatusBadRequest
		if asJSON {
			status = http.StatusUnauthorized
		}
		writeError(w, status, code)
	}
	if text == "" {
		writeError(w, http.StatusBadRequest, ErrInvalidRequest)
		return
	}
	t := s.lookupRefresh(text)
	if t == nil {
		refused(ErrInvalidGrant)
		return
	}
	t.fam.inflight.Add(1)
	defer t.fam.inflight.Add(-1)
	if s.has(DefectRevokeOnConcurrentOnly) && s.prechecked(t, now) {
		refused(ErrInvalidGrant)
		return
	}
	out, raw := s.refresh(t, now)
	s.commitPause(out)
	switch out {
	case outDead:
		refused(ErrInvalidGrant)
	case outReuse:
		if s.has(DefectReuseInvalidRequest) {
			writeError(w, http.StatusBadRequest, ErrInvalidRequest)
			return
		}
		refused(ErrInvalidGrant)
	default:
		s.writeTokens(w, t.fam, raw, now)
	}
}

// writeTokens answers with an RFC 6749 §5.1 token response.
func (s *Server) writeTokens(w http.ResponseWriter, f *family, refresh string, now int64) {
	accessExp := now + s.accessTTL
	bp := getBuf()
	b := append(*bp, `{"access_token":"`...)
	b = append(b, s.newAccessToken(f.key, accessExp)...)
	b = append(b, `","token_type":"Bearer","expires_in":`...)
	b = strconv.AppendInt(b, s.accessTTL/1e9, 10)
	b = append(b, `,"refresh_token":"`...)
	b = append(b, refresh...)
	b = append(b, `"}`...)
	w.Header()["Pragma"] = hdrNoCache
	writeJSON(w, http.StatusOK, b)
	*bp = b
	putBuf(bp)
}

var hdrNoCache = []string{"no-cache"}

// accessAlive reports whether an access token still works, and its
// family: a signed, unexpired token whose family lives, or, when access
// tokens are self-contained, any signed unexpired token.
func (s *Server) accessAlive(text string, now int64) (*family, int64, bool) {
	fk, exp, ok := s.parseAccessToken(text)
	if !ok || now >= exp {
		return nil, 0, false
	}
	f, known := s.fams.get(fk)
	if s.pol.Access == AccessSelfContained {
		return f, exp, true
	}
	if !known || !s.alive(f, now) {
		return nil, 0, false
	}
	return f, exp, true
}

func bearer(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "Bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	f, _, ok := s.accessAlive(bearer(r), s.nowNs())
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, ErrInvalidToken)
		return
	}
	b := append(make([]byte, 0, 64), `{"sub":`...)
	sub := ""
	if f != nil {
		sub = f.user.id
	}
	b = appendJSONString(b, sub)
	writeJSON(w, http.StatusOK, append(b, '}'))
}

// handleIntrospect is RFC 7662: any client may ask; unknown, expired and
// revoked tokens are {"active":false}.
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInBody)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, ErrInvalidRequest)
		return
	}
	if _, ok := s.client(r); !ok {
		writeError(w, http.StatusUnauthorized, ErrInvalidClient)
		return
	}
	f, exp, ok := s.accessAlive(r.PostForm.Get("token"), s.nowNs())
	if !ok {
		writeJSON(w, http.StatusOK, []byte(`{"active":false}`))
		return
	}
	b := append(make([]byte, 0, 128), `{"active":true,"token_type":"Bearer","exp":`...)
	b = strconv.AppendInt(b, exp/1e9, 10)
	if f != nil {
		b = append(b, `,"sub":`...)
		b = appendJSONString(b, f.user.id)
	}
	writeJSON(w, http.StatusOK, append(b, '}'))
}

// handleMetadata is RFC 8414 authorization server metadata.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host
	md := map[string]any{
		"issuer":                                base,
		"token_endpoint":                        base + PathToken,
		"introspection_endpoint":                base + PathIntrospect,
		"userinfo_endpoint":                     base + PathUserinfo,
		"grant_types_supported":                 []string{"password", "refresh_token"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"response_types_supported":              []string{},
	}
	b, _ := json.Marshal(md)
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) handleJSONSignIn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	}
	if json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSignInBody)).Decode(&req) != nil {
		writeError(w, http.StatusBadRequest, ErrInvalidRequest)
		return
	}
	s.passwordGrant(w, req.Identifier, req.Password, true)
}

func (s *Server) handleJSONRefresh(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if json.NewDecoder(http.MaxBytesReader(w, r.Body, maxSignInBody)).Decode(&req) != nil {
		writeError(w, http.StatusBadRequest, ErrInvalidRequest)
		return
	}
	s.tokenRefresh(w, r, req.RefreshToken, true)
}
