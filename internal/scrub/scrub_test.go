package scrub

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	Register("hunter2-password", "client-secret-xyz")
	token := "UZu57CgXWQcAHzSo3W-mh1P6GU_ct5g8ctOy"
	cases := []struct{ in, keep string }{
		// Go's transport quoting a malformed header line with the token
		{`net/http: malformed MIME header line: Set-Cookie: __Host-refresh=` + token + "\x00; Path=/", "malformed MIME header line: Set-Cookie:"},
		{`{"error":"bad token ` + token + ` csrf c5rf-value-123"}`, "bad token"},
		{"sign-in: HTTP 401 (wrong password hunter2-password)", "wrong password"},
		{"Post \"http://127.0.0.1:4000/api/auth/refresh\": context deadline exceeded", "http://127.0.0.1:4000/api/auth/refresh"},
		{"client-secret-xyz in the clear", "in the clear"},
	}
	for _, c := range cases {
		got := Text(c.in, "c5rf-value-123")
		for _, secret := range []string{token, "hunter2-password", "client-secret-xyz", "c5rf-value-123", "\x00"} {
			if strings.Contains(got, secret) {
				t.Errorf("%q keeps %q", got, secret)
			}
		}
		if !strings.Contains(got, c.keep) {
			t.Errorf("%q lost %q", got, c.keep)
		}
	}
	if got := Text(strings.Repeat("é", 1000)); len(got) > MaxLen {
		t.Errorf("%d bytes", len(got))
	}
	if got := Text("line one\r\nX-Other: two\x1b[31m"); strings.ContainsAny(got, "\r\n\x1b") {
		t.Errorf("control bytes kept: %q", got)
	}
}

// FuzzText: whatever the input, the output holds no registered secret,
// no control byte, and at most MaxLen bytes.
func FuzzText(f *testing.F) {
	const secret = "s3cr3t-value"
	Register(secret)
	for _, s := range []string{"Set-Cookie: a=" + secret, "x" + secret + "y", "\x00\xff", "plain text", strings.Repeat("ab1", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s, "extra-secret")
		if len(got) > MaxLen {
			t.Fatalf("%d bytes", len(got))
		}
		if strings.Contains(got, secret) || strings.Contains(got, "extra-secret") {
			t.Fatalf("secret kept in %q", got)
		}
		for i := 0; i < len(got); i++ {
			if got[i] < 0x20 || got[i] == 0x7f {
				t.Fatalf("control byte in %q", got)
			}
		}
	})
}
