package targets

import (
	"strings"
	"testing"
)

func TestParseCredentials(t *testing.T) {
	creds, err := ParseCredentials(strings.NewReader("identifier,password\nalice,pw1\n# comment\nbob,p,w\"x\n"), "u.csv")
	if err == nil {
		t.Fatalf("3 fields accepted: %v", creds)
	}
	if !strings.Contains(err.Error(), "u.csv:") {
		t.Fatalf("error does not name the file: %v", err)
	}
	creds, err = ParseCredentials(strings.NewReader("identifier,password\nalice,pw1\nbob,pw2\n"), "u.csv")
	if err != nil || len(creds) != 2 || creds[1] != (Credential{"bob", "pw2"}) {
		t.Fatalf("%v %v", creds, err)
	}
	bad := map[string]string{
		"alice\n":               "u.csv:1: want 2 fields",
		"alice,\n":              "u.csv:1: empty password",
		",pw\n":                 "u.csv:1: empty identifier",
		"a,1\nb,2\na,3\n":       "u.csv:3: identifier \"a\" repeats line 1",
		"identifier,password\n": "no credentials",
		"a,\"unterminated\n":    "u.csv:1",
	}
	for in, want := range bad {
		_, err := ParseCredentials(strings.NewReader(in), "u.csv")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to contain %q", in, err, want)
		}
	}
}

func TestShardIsDisjointAndComplete(t *testing.T) {
	var all []Credential
	for i := range 10 {
		all = append(all, Credential{Identifier: string(rune('a' + i)), Password: "p"})
	}
	seen := map[string]int{}
	for i := range 3 {
		for _, c := range Shard(all, i, 3) {
			seen[c.Identifier]++
		}
	}
	if len(seen) != 10 {
		t.Fatalf("shards cover %d of 10", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s in %d shards", id, n)
		}
	}
	if UsersNeeded(10, 3) != 4 || UsersNeeded(10, 1) != 10 {
		t.Fatal("UsersNeeded")
	}
}

func TestUTF8BOMIsNotAUser(t *testing.T) {
	creds, err := ParseCredentials(strings.NewReader("\xef\xbb\xbfidentifier,password\nalice,pw\n"), "users.csv")
	if err != nil || len(creds) != 1 || creds[0].Identifier != "alice" {
		t.Fatalf("%v %+v", err, creds)
	}
	ims, err := ParseImported(strings.NewReader("\xef\xbb\xbfrefresh,csrf\ntok1,c1\n"), "cookies.csv")
	if err != nil || len(ims) != 1 || ims[0].Refresh != "tok1" {
		t.Fatalf("%v %+v", err, ims)
	}
}

func TestImportedCookieBytesRejectedWithoutEcho(t *testing.T) {
	for _, in := range []string{"to ken\n", "tok\x01en\n", "\"tok\nen\"\n", "tok;en\n"} {
		_, err := ParseImported(strings.NewReader(in), "cookies.csv")
		if err == nil || !strings.Contains(err.Error(), "cookies.csv:1") || strings.Contains(err.Error(), "tok") {
			t.Errorf("%q: %v", in, err)
		}
	}
}
