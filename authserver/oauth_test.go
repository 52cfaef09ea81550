package authserver

import (
	"encoding/base64"
	"net/url"
	"testing"
	"time"
)

// tokenGrant posts a form to the token endpoint as the demo client.
func (e *env) tokenGrant(form url.Values) reply {
	e.t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(DemoClientID + ":" + DemoClientSecret))
	return e.do("POST", PathToken, form.Encode(), nil, map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic " + basic})
}

func (e *env) passwordGrant(user string) (refresh, access string) {
	e.t.Helper()
	r := e.tokenGrant(url.Values{"grant_type": {"password"}, "username": {user}, "password": {"pw-" + user}})
	expect(e.t, "password grant", r, 200, "")
	return r.body["refresh_token"].(string), r.body["access_token"].(string)
}

func (e *env) refreshGrant(token string) reply {
	e.t.Helper()
	return e.tokenGrant(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
}

func (e *env) introspect(access string) bool {
	e.t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(DemoClientID + ":" + DemoClientSecret))
	r := e.do("POST", PathIntrospect, url.Values{"token": {access}}.Encode(), nil, map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic " + basic})
	expect(e.t, "introspection", r, 200, "")
	return r.body["active"] == true
}

func TestTokenEndpointClientAuth(t *testing.T) {
	e := newEnv(t, "strict")
	form := url.Values{"grant_type": {"password"}, "username": {"user-0001"}, "password": {"pw-user-0001"}}
	ct := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	post := func(v url.Values, hdr map[string]string) reply { return e.do("POST", PathToken, v.Encode(), nil, hdr) }
	with := func(extra map[string]string) url.Values {
		v := url.Values{}
		for k, vs := range form {
			v[k] = vs
		}
		for k, s := range extra {
			v.Set(k, s)
		}
		return v
	}
	expect(t, "no client", post(form, ct), 401, ErrInvalidClient)
	expect(t, "wrong secret", post(with(map[string]string{"client_id": DemoClientID, "client_secret": "x"}), ct), 401, ErrInvalidClient)
	expect(t, "client_secret_post", post(with(map[string]string{"client_id": DemoClientID, "client_secret": DemoClientSecret}), ct), 200, "")
	expect(t, "public client", post(with(map[string]string{"client_id": PublicClientID}), ct), 200, "")
	expect(t, "public client with a secret", post(with(map[string]string{"client_id": PublicClientID, "client_secret": "s"}), ct), 401, ErrInvalidClient)
	expect(t, "bad password", e.tokenGrant(url.Values{"grant_type": {"password"}, "username": {"user-0001"}, "password": {"no"}}), 400, ErrInvalidGrant)
	expect(t, "unknown grant", e.tokenGrant(url.Values{"grant_type": {"client_credentials"}}), 400, ErrUnsupportedGrant)
	expect(t, "unknown refresh token", e.refreshGrant("not-a-token"), 400, ErrInvalidGrant)
	md := e.do("GET", PathMetadata, "", nil, nil)
	if md.status != 200 || md.body["token_endpoint"] != e.url+PathToken || md.body["introspection_endpoint"] != e.url+PathIntrospect {
		t.Fatalf("metadata %d %s", md.status, md.raw)
	}
}

func TestTokenEndpointStrictRotation(t *testing.T) {
	e := newEnv(t, "strict")
	rt, at := e.passwordGrant("user-0001")
	r := e.refreshGrant(rt)
	expect(t, "refresh", r, 200, "")
	child := r.body["refresh_token"].(string)
	if child == rt || r.body["token_type"] != "Bearer" {
		t.Fatalf("refresh answer %s", r.raw)
	}
	if !e.introspect(at) {
		t.Fatal("live family's access token inactive")
	}
	if st := e.do("GET", PathUserinfo, "", nil, map[string]string{"Authorization": "Bearer " + at}).status; st != 200 {
		t.Fatalf("userinfo %d", st)
	}
	expect(t, "reuse", e.refreshGrant(rt), 400, ErrInvalidGrant)
	expect(t, "child after reuse", e.refreshGrant(child), 400, ErrInvalidGrant)
	if e.introspect(at) {
		t.Fatal("revoked family's access token still active")
	}
	if st := e.do("GET", PathUserinfo, "", nil, map[string]string{"Authorization": "Bearer " + at}).status; st != 401 {
		t.Fatalf("userinfo after revocation %d", st)
	}
}

func TestJSONEndpoints(t *testing.T) {
	e := newEnv(t, "strict")
	r := e.do("POST", PathJSONSignIn, `{"identifier":"user-0002","password":"pw-user-0002"}`, nil, nil)
	expect(t, "json sign-in", r, 200, "")
	rt := r.body["refresh_token"].(string)
	r = e.do("POST", PathJSONRefresh, `{"refresh_token":"`+rt+`"}`, nil, nil)
	expect(t, "json refresh", r, 200, "")
	expect(t, "json reuse", e.do("POST", PathJSONRefresh, `{"refresh_token":"`+rt+`"}`, nil, nil), 401, ErrInvalidGrant)
	expect(t, "json bad password", e.do("POST", PathJSONSignIn, `{"identifier":"user-0002","password":"x"}`, nil, nil), 401, ErrInvalidCredentials)
}

// TestPresetB: same child inside the interval, the current head for the
// parent at any age, a fork for an older ancestor inside the interval,
// a revocation that bites only after the lag, and access tokens that
// never die.
func TestPresetB(t *testing.T) {
	e := newEnv(t, "server-b=10s")
	t0, at := e.passwordGrant("user-0001")
	t1 := e.refreshGrant(t0).body["refresh_token"].(string)
	if again := e.refreshGrant(t0); again.body["refresh_token"] != t1 {
		t.Fatalf("duplicate inside the interval: %s", again.raw)
	}
	e.clock.Advance(time.Second)
	t2 := e.refreshGrant(t1).body["refresh_token"].(string)
	e.clock.Advance(30 * time.Second)
	if old := e.refreshGrant(t1); old.body["refresh_token"] != t2 {
		t.Fatalf("parent at any age: %s", old.raw)
	}
	t3 := e.refreshGrant(t2).body["refresh_token"].(string)
	t4 := e.refreshGrant(t3).body["refresh_token"].(string)
	fork := e.refreshGrant(t2) // grandparent of t4, rotated just now
	if fork.status != 200 || fork.body["refresh_token"] == t4 || fork.body["refresh_token"] == t3 {
		t.Fatalf("ancestor inside the interval: %s", fork.raw)
	}
	e.clock.Advance(30 * time.Second)
	expect(t, "old ancestor", e.refreshGrant(t0), 400, ErrInvalidGrant)
	head := fork.body["refresh_token"].(string)
	if r := e.refreshGrant(head); r.status != 200 {
		t.Fatalf("head inside the revocation lag: %s", r.raw)
	} else {
		head = r.body["refresh_token"].(string)
	}
	e.clock.Advance(11 * time.Second)
	expect(t, "head after the lag", e.refreshGrant(head), 400, ErrInvalidGrant)
	if !e.introspect(at) {
		t.Fatal("self-contained access token died with its family")
	}
}

// TestPresetC: no rotation inside the interval, the current head for a
// duplicate, reuse after it refused as invalid_request without
// revocation, and one family per user.
func TestPresetC(t *testing.T) {
	e := newEnv(t, "server-c=3s")
	t0, _ := e.passwordGrant("user-0001")
	if r := e.refreshGrant(t0); r.body["refresh_token"] != t0 {
		t.Fatalf("inside the interval: %s", r.raw)
	}
	e.clock.Advance(4 * time.Second)
	t1 := e.refreshGrant(t0).body["refresh_token"].(string)
	if t1 == t0 {
		t.Fatal("did not rotate after the interval")
	}
	if r := e.refreshGrant(t0); r.body["refresh_token"] != t1 {
		t.Fatalf("duplicate inside the interval: %s", r.raw)
	}
	e.clock.Advance(4 * time.Second)
	expect(t, "reuse after the interval", e.refreshGrant(t0), 400, ErrInvalidRequest)
	r := e.refreshGrant(t1)
	if r.status != 200 {
		t.Fatalf("head after reuse: %s", r.raw)
	}
	head := r.body["refresh_token"].(string)
	e.passwordGrant("user-0001")
	expect(t, "first family after a second sign-in", e.refreshGrant(head), 400, ErrInvalidGrant)
}
