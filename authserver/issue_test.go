package authserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Issued families are real: each refreshes once through HTTP with its
// CSRF token, and the family cap bounds how many can be issued.
func TestIssueReadySessions(t *testing.T) {
	srv, err := New(Config{Users: DemoUsers(2), FamilyCap: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Issue(5, func(Issued) error { return nil }); err == nil || !strings.Contains(err.Error(), "family cap") {
		t.Errorf("5 families for 2 users at cap 2: %v", err)
	}
	var got []Issued
	if err := srv.Issue(4, func(is Issued) error { got = append(got, is); return nil }); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	seen := map[string]bool{}
	for i, is := range got {
		if is.Refresh == "" || is.CSRF == "" || is.Access == "" || seen[is.Refresh] {
			t.Fatalf("family %d: %+v", i, is)
		}
		seen[is.Refresh] = true
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/auth/refresh", nil)
		req.Header.Set("Cookie", "__Host-refresh="+is.Refresh)
		req.Header.Set("X-CSRF-Token", is.CSRF)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("family %d: refresh status %d", i, resp.StatusCode)
		}
	}
	if st := srv.Stats(); st.SignIns != 4 || st.FamiliesRevoked != 0 {
		t.Errorf("stats %+v", st)
	}
}
