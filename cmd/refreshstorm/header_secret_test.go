package main

import (
	"strings"
	"testing"

	"github.com/refreshstorm/refreshstorm/internal/scrub"
)

// A header value is a secret unless declared public: once the headers are
// read, any text a target echoes or an error quotes loses it.
func TestHeaderValuesAreScrubbedUnlessPublic(t *testing.T) {
	n := network{Headers: []string{"X-Api-Key: k3y-9f2a-77", "X-Tenant: tenant-blue"}, HeaderPublic: []string{"x-tenant"}}
	if _, err := n.headers(); err != nil {
		t.Fatal(err)
	}
	got := scrub.Text("gateway said: bad key k3y-9f2a-77 for tenant-blue")
	if strings.Contains(got, "k3y-9f2a-77") {
		t.Errorf("secret header value survived: %q", got)
	}
	if !strings.Contains(got, "tenant-blue") {
		t.Errorf("public header value was removed: %q", got)
	}
}
