package targets

import (
	"strings"
	"testing"
)

func TestParseImported(t *testing.T) {
	ims, err := ParseImported(strings.NewReader("refresh,csrf,access\nr1\nr2,c2\nr3,c3,a3\n"), "c.csv")
	if err != nil || len(ims) != 3 || ims[0] != (Imported{Refresh: "r1"}) || ims[2] != (Imported{"r3", "c3", "a3"}) {
		t.Fatalf("%+v %v", ims, err)
	}
	for in, want := range map[string]string{
		"r1,c,a,x\n":     "c.csv:1: want refresh[,csrf[,access]]; got 4 fields",
		",c\n":           "c.csv:1: empty refresh token",
		"r1\nr2\nr1\n":   "c.csv:3: same refresh token as line 1",
		"refresh,csrf\n": "no sessions",
	} {
		_, err := ParseImported(strings.NewReader(in), "c.csv")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "r1") && !strings.Contains(want, "r1") {
			t.Errorf("%q: the error echoes a token: %v", in, err)
		}
	}
	if got := Shard([]Imported{{Refresh: "a"}, {Refresh: "b"}, {Refresh: "c"}}, 1, 2); len(got) != 1 || got[0].Refresh != "b" {
		t.Fatalf("shard %v", got)
	}
}
