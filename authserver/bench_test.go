package authserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkRefresh measures the refresh handler in process (no network).
func BenchmarkRefresh(b *testing.B) {
	srv, err := New(Config{Policy: Policy{RevokeOnReuse: true}, Users: DemoUsers(1)})
	if err != nil {
		b.Fatal(err)
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest("POST", PathSignIn, strings.NewReader(`{"identifier":"user-0001","password":"pw-user-0001"}`)))
	refresh := w.Result().Cookies()[1].Value
	w = httptest.NewRecorder()
	req := httptest.NewRequest("GET", PathCSRF, nil)
	req.Header.Set("Cookie", RefreshCookie+"="+refresh)
	srv.ServeHTTP(w, req)
	csrf := srv.csrfToken(srv.lookupRefresh(refresh).fam.id)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", PathRefresh, nil)
		req.Header.Set("Cookie", RefreshCookie+"="+refresh)
		req.Header.Set(CSRFHeader, csrf)
		rw := httptest.NewRecorder()
		srv.ServeHTTP(rw, req)
		if rw.Code != http.StatusOK {
			b.Fatalf("%d %s", rw.Code, rw.Body)
		}
		v := rw.Header()["Set-Cookie"][1]
		refresh = v[len(RefreshCookie)+1 : len(RefreshCookie)+1+refreshTextLen]
	}
}
