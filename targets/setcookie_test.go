package targets

import (
	"testing"
	"time"
)

func TestParseSetCookie(t *testing.T) {
	clock := func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
	c := parseSetCookie(`__Host-refresh="abc"; path=/; SECURE; HttpOnly; SameSite=Strict; Max-Age=60`)
	if !c.ok || c.name != "__Host-refresh" || c.value != "abc" || !c.secure || !c.httpOnly || c.path != "/" || c.sameSite != "Strict" || c.clears(clock) || c.problem() != "" {
		t.Fatalf("%+v", c)
	}
	for line, clears := range map[string]bool{
		"a=; Path=/":      true,
		"a=x; Max-Age=0":  true,
		"a=x; Max-Age=-1": true,
		"a=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT":             true,
		"a=x; Expires=Fri, 01 Jan 2100 00:00:00 GMT":             false,
		"a=x; Max-Age=10; Expires=Thu, 01 Jan 1970 00:00:00 GMT": false,
	} {
		if got := parseSetCookie(line).clears(clock); got != clears {
			t.Errorf("%q clears=%v, want %v", line, got, clears)
		}
	}
	if parseSetCookie("no-equals-sign").ok || parseSetCookie("=value").ok {
		t.Error("malformed line accepted")
	}
	if p := parseSetCookie("r=x; Path=/; Secure; HttpOnly; Domain=example.com").problem(); p != "refresh cookie carries Domain=example.com" {
		t.Errorf("problem %q", p)
	}
	if n := testing.AllocsPerRun(100, func() {
		parseSetCookie("__Host-refresh=abc; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=86400")
	}); n != 0 {
		t.Errorf("parseSetCookie allocates %.0f times", n)
	}
}
