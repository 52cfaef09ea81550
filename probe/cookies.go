package probe

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// CookieReport is the attributes of the cookies carrying the tokens,
// as set by sign-in and by refresh. OK is false when a cookie lacks an
// attribute it must have (whether or not that is a violation: see
// Options.AllowInsecureCookies).
type CookieReport struct {
	SignIn  CookieSet `json:"sign_in"`
	Refresh CookieSet `json:"refresh"`
	OK      bool      `json:"ok"`
}

// CookieSet is the refresh and access cookies of one response.
type CookieSet struct {
	RefreshCookie Cookie `json:"refresh_cookie"`
	AccessCookie  Cookie `json:"access_cookie"`
}

// Cookie is one cookie's attributes (never its value). The cookies
// are recognised by the token they carry, so any cookie names work.
// Problems are missing required attributes: Secure, HttpOnly, Path=/ and
// no Domain for the refresh cookie; what the __Host- or __Secure- prefix
// demands for the access cookie. Notes are weaknesses (no SameSite, or
// SameSite=None; an access cookie readable by scripts).
type Cookie struct {
	Name     string   `json:"name"`
	Present  bool     `json:"present"`
	Secure   bool     `json:"secure"`
	HTTPOnly bool     `json:"http_only"`
	Path     string   `json:"path"`
	Domain   string   `json:"domain"`
	SameSite string   `json:"same_site"`
	Problems []string `json:"problems"`
	Notes    []string `json:"notes"`
}

// cookieExperiment signs a family in and refreshes it once, and checks the
// attributes of both responses' cookies.
func (d *prober) cookieExperiment(ctx context.Context) error {
	cc, capt := d.capturingClient()
	f, err := d.signInWith(ctx, cc, d.nextCred())
	if err != nil {
		return err
	}
	defer d.signOut(ctx, f)
	rep := &d.fp.Cookies
	rep.SignIn = analyzeCookies(capt.lines(), f.head, f.access)
	r, err := d.rotate(ctx, f)
	if err != nil {
		return err
	}
	rep.Refresh = analyzeCookies(r.cookies, r.refresh, r.access)
	rep.OK = true
	for _, where := range []struct {
		step string
		set  CookieSet
	}{{"sign-in", rep.SignIn}, {"refresh", rep.Refresh}} {
		for _, c := range []Cookie{where.set.RefreshCookie, where.set.AccessCookie} {
			if len(c.Problems) > 0 {
				rep.OK = false
				msg := fmt.Sprintf("%s cookie %s: %s", where.step, c.Name, strings.Join(c.Problems, ", "))
				if d.opt.AllowInsecureCookies {
					d.weakness("cookie_attrs_not_enforced", "cookies", "%s (allowed by --allow-insecure-cookies)", msg)
				} else {
					d.violation("fail_cookie_attrs", "cookies", "%s", msg)
				}
			}
			for _, n := range c.Notes {
				d.weakness("cookie_"+noteKey(n), "cookies", "%s cookie %s: %s", where.step, c.Name, n)
			}
		}
	}
	return nil
}

// Cookie notes (weaknesses); noteKey maps them to finding keys.
const (
	noteNoSameSite   = "no SameSite attribute"
	noteSameSiteNone = "SameSite=None"
	noteScriptable   = "readable by scripts (no HttpOnly)"
	noteMissing      = "no cookie carries this token"
)

func noteKey(note string) string {
	switch note {
	case noteNoSameSite:
		return "no_same_site"
	case noteSameSiteNone:
		return "same_site_none"
	case noteScriptable:
		return "scriptable"
	default:
		return "missing"
	}
}

// analyzeCookies finds, among Set-Cookie lines, the cookies whose
// values are the refresh and the access token, and checks their
// attributes.
func analyzeCookies(lines []string, refresh, access string) CookieSet {
	var set CookieSet
	set.RefreshCookie = findCookie(lines, refresh, true)
	set.AccessCookie = findCookie(lines, access, false)
	return set
}

func findCookie(lines []string, value string, isRefresh bool) Cookie {
	out := Cookie{Problems: []string{}, Notes: []string{}}
	if value == "" {
		if isRefresh {
			out.Notes = append(out.Notes, noteMissing)
		}
		return out
	}
	for _, line := range lines {
		c, err := http.ParseSetCookie(line)
		if err != nil || c.Value != value {
			continue
		}
		out.Name, out.Present = c.Name, true
		out.Secure, out.HTTPOnly, out.Path, out.Domain = c.Secure, c.HttpOnly, c.Path, c.Domain
		out.SameSite = sameSite(c.SameSite)
		out.Problems = cookieProblems(c, isRefresh)
		switch {
		case out.SameSite == "":
			out.Notes = append(out.Notes, noteNoSameSite)
		case out.SameSite == "None":
			out.Notes = append(out.Notes, noteSameSiteNone)
		}
		if !isRefresh && !c.HttpOnly {
			out.Notes = append(out.Notes, noteScriptable)
		}
		return out
	}
	out.Notes = append(out.Notes, noteMissing)
	return out
}

// cookieProblems lists the attributes c lacks: all of them for the
// refresh cookie, what its name prefix demands for another cookie.
func cookieProblems(c *http.Cookie, isRefresh bool) []string {
	host := isRefresh || strings.HasPrefix(c.Name, "__Host-")
	secure := host || strings.HasPrefix(c.Name, "__Secure-")
	problems := []string{}
	if secure && !c.Secure {
		problems = append(problems, "lacks Secure")
	}
	if isRefresh && !c.HttpOnly {
		problems = append(problems, "lacks HttpOnly")
	}
	if host && c.Path != "/" {
		if c.Path == "" {
			problems = append(problems, "lacks Path=/")
		} else {
			problems = append(problems, fmt.Sprintf("has Path=%s, not /", c.Path))
		}
	}
	if host && c.Domain != "" {
		problems = append(problems, "carries Domain="+c.Domain)
	}
	return problems
}

func sameSite(s http.SameSite) string {
	switch s {
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	case http.SameSiteDefaultMode:
		return "invalid"
	}
	return ""
}
