package attack

import (
	"strings"
	"testing"
)

func TestParseResolve(t *testing.T) {
	good := map[string][2]string{
		"auth.example.com:443:10.0.0.7": {"auth.example.com:443", "10.0.0.7:443"},
		"localhost:8443:[::1]":          {"localhost:8443", "[::1]:8443"},
	}
	for in, want := range good {
		from, to, err := ParseResolve(in)
		if err != nil || from != want[0] || to != want[1] {
			t.Errorf("%s: %s → %s (%v), want %v", in, from, to, err, want)
		}
	}
	for _, bad := range []string{"", "host", "host:443", "host:x:10.0.0.1", ":443:10.0.0.1", "host:443:not-an-ip", "host:70000:10.0.0.1"} {
		if _, _, err := ParseResolve(bad); err == nil || !strings.Contains(err.Error(), "--resolve") {
			t.Errorf("%q: err %v, want one naming --resolve", bad, err)
		}
	}
}

func TestProxyURLsAreChecked(t *testing.T) {
	if _, err := proxyFunc("ftp://x"); err == nil {
		t.Error("ftp proxy accepted")
	}
	_, err := proxyFunc("http://user:hunter2@")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err %v: want an error without the password", err)
	}
	if p, err := proxyFunc(""); p != nil || err != nil {
		t.Error("no --proxy must mean no proxy, not the environment's")
	}
}
