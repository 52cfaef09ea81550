package targets

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// checkCSVError: a refused file gives one bounded line naming the input.
func checkCSVError(t *testing.T, err error) string {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "in") || strings.ContainsAny(msg, "\n\r") || len(msg) > 300 {
		t.Fatalf("error of %d bytes, several lines or not naming the input: %.200q", len(msg), msg)
	}
	return msg
}

// FuzzParseCredentials: any file gives credentials or one bounded error
// line; a password never appears in an error; no BOM, empty or repeated
// identifier is accepted.
func FuzzParseCredentials(f *testing.F) {
	for _, s := range []string{
		"identifier,password\nalice,pw1\nbob,pw2\n",
		"\xef\xbb\xbfidentifier,password\nalice,pw\n",
		"# comment\nalice,\"p,w\"\n",
		"alice,pw\nalice,other\n",
		"alice\n", "a,b,c\n", ",pw\n", "\"unterminated\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		creds, err := ParseCredentials(bytes.NewReader(data), "in")
		if err != nil {
			msg := checkCSVError(t, err)
			for _, pw := range secondFields(data) {
				if len(pw) >= 12 && !strings.ContainsAny(pw, " ,") && strings.Contains(msg, pw) {
					t.Fatalf("error shows the password %q: %s", pw, msg)
				}
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range creds {
			if c.Identifier == "" || c.Password == "" || strings.HasPrefix(c.Identifier, "\ufeff") || seen[c.Identifier] {
				t.Fatalf("accepted %+v", c)
			}
			seen[c.Identifier] = true
		}
	})
}

// FuzzParseImported: any --cookies file gives sessions whose every value
// can be sent as a cookie, or one bounded error line that shows none of
// its values.
func FuzzParseImported(f *testing.F) {
	for _, s := range []string{
		"refresh,csrf,access\nrt1,c1,a1\nrt2,,\n",
		"\xef\xbb\xbfrefresh\nrt1\n",
		"rt1,\"c\nsv\"\n",
		"rt 1\n", "rt1;x\n", "rt1\nrt1\n", "a,b,c,d\n", ",c\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ims, err := ParseImported(bytes.NewReader(data), "in")
		if err != nil {
			msg := checkCSVError(t, err)
			for _, rec := range records(data) {
				for _, v := range rec {
					if len(v) >= 12 && !strings.ContainsAny(v, " ,") && strings.Contains(msg, v) {
						t.Fatalf("error shows the value %q: %s", v, msg)
					}
				}
			}
			return
		}
		seen := map[string]bool{}
		for _, im := range ims {
			for _, v := range []string{im.Refresh, im.CSRF, im.Access} {
				if badCookieByte(v) >= 0 {
					t.Fatalf("accepted a value with a byte not allowed in a cookie: %q", v)
				}
			}
			if im.Refresh == "" || seen[im.Refresh] {
				t.Fatalf("accepted %+v", im)
			}
			seen[im.Refresh] = true
		}
	})
}

// records reads data as the parsers do, as far as it parses.
func records(data []byte) [][]string {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord, cr.Comment = -1, '#'
	var out [][]string
	for {
		rec, err := cr.Read()
		if err != nil {
			return out
		}
		out = append(out, rec)
	}
}

func secondFields(data []byte) []string {
	var out []string
	for _, rec := range records(data) {
		if len(rec) > 1 {
			out = append(out, rec[1])
		}
	}
	return out
}
