package targets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
	"unsafe"

	"github.com/refreshstorm/refreshstorm/internal/scrub"
	"github.com/refreshstorm/refreshstorm/oracle"
)

// CookieConfig configures the cookie profile. Zero fields take
// the defaults of the seed's server.
type CookieConfig struct {
	BaseURL     string `yaml:"-"`
	SignInPath  string `yaml:"sign_in_path"`
	CSRFPath    string `yaml:"csrf_path"`
	RefreshPath string `yaml:"refresh_path"`
	SessionPath string `yaml:"session_path"`

	RefreshCookie string `yaml:"refresh_cookie"`
	AccessCookie  string `yaml:"access_cookie"`
	CSRFHeader    string `yaml:"csrf_header"`

	IdentifierField string `yaml:"identifier_field"`
	PasswordField   string `yaml:"password_field"`
	FamilyField     string `yaml:"family_field"`
	CSRFField       string `yaml:"csrf_field"`

	// AllowInsecureCookies skips the __Host- attribute checks, for dev
	// targets served over plain HTTP without Secure cookies.
	AllowInsecureCookies bool `yaml:"-"`
}

func (c *CookieConfig) fillDefaults() {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.SignInPath, "/api/auth/sign-in")
	def(&c.CSRFPath, "/api/auth/csrf")
	def(&c.RefreshPath, "/api/auth/refresh")
	def(&c.SessionPath, "/api/auth/session")
	def(&c.RefreshCookie, "__Host-refresh")
	def(&c.AccessCookie, "__Host-access")
	def(&c.CSRFHeader, "X-CSRF-Token")
	def(&c.IdentifierField, "identifier")
	def(&c.PasswordField, "password")
	def(&c.FamilyField, "session_family_id")
	def(&c.CSRFField, "csrf_token")
}

// CookieProfile is the default protocol: refresh token in an HttpOnly
// __Host- cookie, CSRF token in a header, JSON bodies.
type CookieProfile struct {
	cfg        CookieConfig
	refreshURL string
	csrfKey    string // canonical form of cfg.CSRFHeader
	jsonCT     []string
	familyKey  []byte // `"<family field>":"`
}

// NewCookieProfile validates cfg and returns the profile.
func NewCookieProfile(cfg CookieConfig) (*CookieProfile, error) {
	cfg.fillDefaults()
	base := strings.TrimRight(cfg.BaseURL, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("target %q: want an http:// or https:// URL", cfg.BaseURL)
	}
	cfg.BaseURL = base
	return &CookieProfile{
		cfg:        cfg,
		refreshURL: base + cfg.RefreshPath,
		csrfKey:    http.CanonicalHeaderKey(cfg.CSRFHeader),
		jsonCT:     []string{"application/json"},
		familyKey:  []byte(`"` + cfg.FamilyField + `":"`),
	}, nil
}

func (p *CookieProfile) Name() string          { return "cookie" }
func (p *CookieProfile) RefreshMethod() string { return http.MethodPost }
func (p *CookieProfile) RefreshURL() string    { return p.refreshURL }

// CSRFHeader is the canonical name of the CSRF header.
func (p *CookieProfile) CSRFHeader() string { return p.csrfKey }

// UsesCSRF is true: the CSRF header guards every refresh.
func (p *CookieProfile) UsesCSRF() bool { return true }

// WriteRefresh sets the refresh headers; the token travels in a cookie, so
// there is no body. A one-value slice already in h is overwritten in place
// rather than replaced, so a session's prebuilt header costs one string
// per rotation; vegeta copies header values into each request, so no
// request shares them.
func (p *CookieProfile) WriteRefresh(h http.Header, token, csrf string) []byte {
	setOne(h, "Cookie", p.cfg.RefreshCookie+"="+token)
	h["Content-Type"] = p.jsonCT
	if csrf != "" {
		setOne(h, p.csrfKey, csrf)
	} else {
		delete(h, p.csrfKey)
	}
	return nil
}

func setOne(h http.Header, key, value string) {
	if v := h[key]; len(v) == 1 {
		v[0] = value
		return
	}
	h[key] = []string{value}
}

// refreshBody is the default-shaped success body; decoding into a struct
// is far cheaper than into maps on the hot path.
type refreshBody struct {
	OK        *bool `json:"ok"`
	Refreshed *bool `json:"refreshed"`
	Session   *struct {
		FamilyID string `json:"session_family_id"`
	} `json:"session"`
}

// scanFamily is the hot path for a well-formed success body: one JSON
// object, no false anywhere (so no "ok":false or "refreshed":false,
// however spaced), and the family id as a plain string. Decoding into a
// struct, or even json.Valid, costs more than the rest of the harness's
// per-request work; this scan costs one small allocation. It checks the
// object's braces rather than its full syntax: a truncated body fails it,
// and anything unusual (escapes, spacing, a false flag) reports !ok so
// that the caller decodes properly.
func (p *CookieProfile) scanFamily(body []byte) (string, bool) {
	body = bytes.TrimSpace(body)
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' || bytes.Contains(body, falseLiteral) {
		return "", false
	}
	i := bytes.Index(body, p.familyKey)
	if i < 0 {
		return "", false
	}
	rest := body[i+len(p.familyKey):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	if j == 0 {
		return "", true
	}
	// A view of the body, not a copy: the caller keeps or copies it (see
	// ParseRefresh), which saves an allocation on every refresh.
	return unsafe.String(&rest[0], j), true
}

var falseLiteral = []byte("false")

type errorBody struct {
	Error any `json:"error"`
}

// ParseRefresh reads a refresh answer. The FamilyID of a well-formed body
// is a view of body: a caller that reuses body copies it first.
func (p *CookieProfile) ParseRefresh(status int, h http.Header, body []byte) oracle.Reply {
	r := oracle.Reply{Status: status}
	if status < 200 || status > 299 {
		r.ErrorCode = errorCode(body)
		return r
	}
	p.readCookies(h, &r)
	if fam, ok := p.scanFamily(body); ok {
		r.FamilyID = fam
		return r
	}
	if p.cfg.FamilyField == "session_family_id" {
		var b refreshBody
		if err := json.Unmarshal(body, &b); err != nil {
			r.Malformed = "body is not JSON: " + shortErr(err)
			return r
		}
		if b.OK != nil && !*b.OK {
			r.Malformed = `body says "ok":false`
		}
		if b.Refreshed != nil && !*b.Refreshed {
			r.Malformed = `body says "refreshed":false`
		}
		if b.Session != nil {
			r.FamilyID = b.Session.FamilyID
		}
		return r
	}
	var b map[string]any
	if err := json.Unmarshal(body, &b); err != nil {
		r.Malformed = "body is not JSON: " + shortErr(err)
		return r
	}
	if sess, ok := b["session"].(map[string]any); ok {
		r.FamilyID, _ = sess[p.cfg.FamilyField].(string)
	}
	return r
}

// readCookies extracts the new tokens and checks the refresh cookie's
// attributes.
func (p *CookieProfile) readCookies(h http.Header, r *oracle.Reply) {
	for _, line := range h["Set-Cookie"] {
		c := parseSetCookie(line)
		if !c.ok || (c.name != p.cfg.RefreshCookie && c.name != p.cfg.AccessCookie) || c.clears(time.Now) {
			continue
		}
		if c.name == p.cfg.AccessCookie {
			r.NewAccess = c.value
			if !p.cfg.AllowInsecureCookies && r.CookieProblem == "" && strings.HasPrefix(c.name, "__Host-") {
				r.CookieProblem = c.problemAs("access cookie", false)
			}
			continue
		}
		r.NewRefresh = c.value
		if !p.cfg.AllowInsecureCookies {
			if pr := c.problem(); pr != "" {
				r.CookieProblem = pr
			}
		}
	}
}

// errorCode reads the "error" field of a rejection body leniently: plain
// text, HTML or unknown JSON shapes give "".
func errorCode(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return ""
	}
	var e errorBody
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	if s, ok := e.Error.(string); ok {
		return s
	}
	return ""
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// ProtocolError is an answer that does not follow the protocol (a 200
// without the refresh cookie, a body that is not the expected JSON).
// Retrying will not help.
type ProtocolError struct {
	Step string // "sign-in" or "csrf"
	Msg  string
}

func (e *ProtocolError) Error() string { return e.Step + ": " + e.Msg }

// StatusError is a non-2xx answer during sign-in or CSRF fetch.
type StatusError struct {
	Step       string // "sign-in" or "csrf"
	Status     int
	Code       string // body "error" field, if any
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d", e.Step, e.Status)
	if e.Code != "" {
		msg += " (" + e.Code + ")"
	}
	return msg
}

func (p *CookieProfile) SignIn(ctx context.Context, c *http.Client, cred Credential) (Family, error) {
	var f Family
	payload, _ := json.Marshal(map[string]string{p.cfg.IdentifierField: cred.Identifier, p.cfg.PasswordField: cred.Password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.BaseURL+p.cfg.SignInPath, bytes.NewReader(payload))
	if err != nil {
		return f, err
	}
	req.Header.Set("Content-Type", "application/json")
	status, h, body, err := do(c, req)
	if err != nil {
		return f, fmt.Errorf("sign-in: %s", scrub.Error(err, cred.Password))
	}
	if status != http.StatusOK {
		return f, &StatusError{Step: "sign-in", Status: status, Code: scrub.Text(errorCode(body), cred.Password), RetryAfter: retryAfter(h)}
	}
	var r oracle.Reply
	p.readCookies(h, &r)
	if r.NewRefresh == "" {
		return f, &ProtocolError{"sign-in", "200 without a " + p.cfg.RefreshCookie + " cookie"}
	}
	f.CookieProblem = r.CookieProblem
	f.Refresh, f.Access = r.NewRefresh, r.NewAccess
	var sb map[string]any
	if err := json.Unmarshal(body, &sb); err != nil {
		return f, &ProtocolError{"sign-in", "body is not JSON: " + shortErr(err)}
	}
	if sess, ok := sb["session"].(map[string]any); ok {
		f.ID, _ = sess[p.cfg.FamilyField].(string)
	}
	if f.ID == "" {
		return f, &ProtocolError{"sign-in", "body has no session." + p.cfg.FamilyField}
	}
	var problem string
	f.CSRF, problem, err = p.fetchCSRF(ctx, c, f.Refresh, f.Access)
	if f.CookieProblem == "" && problem != "" {
		f.CookieProblem = "csrf answer: " + problem
	}
	return f, err
}

// FetchCSRF is fetchCSRF for imported sessions, where a bad cookie on the
// answer is reported as a protocol error (there is no sign-in to blame).
func (p *CookieProfile) FetchCSRF(ctx context.Context, c *http.Client, refresh, access string) (string, error) {
	tok, problem, err := p.fetchCSRF(ctx, c, refresh, access)
	if err == nil && problem != "" {
		err = &ProtocolError{"csrf", problem}
	}
	return tok, err
}

func (p *CookieProfile) fetchCSRF(ctx context.Context, c *http.Client, refresh, access string) (string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.BaseURL+p.cfg.CSRFPath, nil)
	if err != nil {
		return "", "", err
	}
	cookie := p.cfg.RefreshCookie + "=" + refresh
	if access != "" {
		cookie = p.cfg.AccessCookie + "=" + access + "; " + cookie
	}
	req.Header.Set("Cookie", cookie)
	status, h, body, err := do(c, req)
	if err != nil {
		return "", "", fmt.Errorf("csrf: %s", scrub.Error(err, refresh, access))
	}
	if status != http.StatusOK {
		return "", "", &StatusError{Step: "csrf", Status: status, Code: scrub.Text(errorCode(body), refresh, access), RetryAfter: retryAfter(h)}
	}
	var r oracle.Reply
	p.readCookies(h, &r)
	var b map[string]any
	if err := json.Unmarshal(body, &b); err != nil {
		return "", "", &ProtocolError{"csrf", "body is not JSON: " + shortErr(err)}
	}
	tok, _ := b[p.cfg.CSRFField].(string)
	if tok == "" {
		return "", "", &ProtocolError{"csrf", "body has no " + p.cfg.CSRFField}
	}
	return tok, r.CookieProblem, nil
}

func (p *CookieProfile) CheckAccess(ctx context.Context, c *http.Client, access string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.BaseURL+p.cfg.SessionPath, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Cookie", p.cfg.AccessCookie+"="+access)
	status, _, _, err := do(c, req)
	return status, err
}

// maxBody bounds how much of any response the harness reads.
const maxBody = 64 << 10

func do(c *http.Client, req *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, body, nil
}

// retryAfter reads Retry-After as seconds or an HTTP date; 0 if absent.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	var secs int64
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && secs >= 0 {
		if secs > int64(math.MaxInt64/time.Second) {
			return time.Duration(math.MaxInt64) // absurd, but still "longer than any cap"
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
