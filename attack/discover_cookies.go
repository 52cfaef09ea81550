package attack

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// ProbeCookieReport is the attributes of the cookies carrying the tokens,
// as set by sign-in and by refresh. OK is false when a cookie lacks an
// attribute it must have (whether or not that is a violation: see
// DiscoverOptions.AllowInsecureCookies).
type ProbeCookieReport struct {
	SignIn  ProbeCookieSet `json:"sign_in"`
	Refresh ProbeCookieSet `json:"refresh"`
	OK      bool           `json:"ok"`
}

// ProbeCookieSet is the refresh and access cookies of one response.
type ProbeCookieSet struct {
	RefreshCookie ProbeCookie `json:"refresh_cookie"`
	AccessCookie  ProbeCookie `json:"access_cookie"`
}

// ProbeCookie is one cookie's attributes (never its value). The cookies
// are recognised by the token they carry, so any cookie names work.
// Problems are missing required attributes: Secure, HttpOnly, Path=/ and
// no Domain for the refresh cookie; what the __Host- or __Secure- prefix
// demands for the access cookie. Notes are weaknesses (no SameSite, or
// SameSite=None; an access cookie readable by scripts).
type ProbeCookie struct {
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
func (d *discoverer) cookieExperiment(ctx context.Context) error {
	cc, capt := d.capturingClient()
	f, err := d.signInWith(ctx, cc, d.nextCred())
	if err != nil {
		return err
	}
	defer d.signOut(ctx, f)
	rep := &d.fp.Cookies
	rep.SignIn = discAnalyzeCookies(capt.lines(), f.head, f.access)
	r, err := d.rotate(ctx, f)
	if err != nil {
		return err
	}
	rep.Refresh = discAnalyzeCookies(r.cookies, r.refresh, r.access)
	rep.OK = true
	for _, where := range []struct {
		step string
		set  ProbeCookieSet
	}{{"sign-in", rep.SignIn}, {"refresh", rep.Refresh}} {
		for _, c := range []ProbeCookie{where.set.RefreshCookie, where.set.AccessCookie} {
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
				d.weakness("cookie_"+discNoteKey(n), "cookies", "%s cookie %s: %s", where.step, c.Name, n)
			}
		}
	}
	return nil
}

// Cookie notes (weaknesses); discNoteKey maps them to finding keys.
const (
	discNoteNoSameSite   = "no SameSite attribute"
	discNoteSameSiteNone = "SameSite=None"
	discNoteScriptable   = "readable by scripts (no HttpOnly)"
	discNoteMissing      = "no cookie carries this token"
)

func discNoteKey(note string) string {
	switch note {
	case discNoteNoSameSite:
		return "no_same_site"
	case discNoteSameSiteNone:
		return "same_site_none"
	case discNoteScriptable:
		return "scriptable"
	default:
		return "missing"
	}
}

// discAnalyzeCookies finds, among Set-Cookie lines, the cookies whose
// values are the refresh and the access token, and checks their
// attributes.
func discAnalyzeCookies(lines []string, refresh, access string) ProbeCookieSet {
	var set ProbeCookieSet
	set.RefreshCookie = discFindCookie(lines, refresh, true)
	set.AccessCookie = discFindCookie(lines, access, false)
	return set
}

func discFindCookie(lines []string, value string, isRefresh bool) ProbeCookie {
	out := ProbeCookie{Problems: []string{}, Notes: []string{}}
	if value == "" {
		if isRefresh {
			out.Notes = append(out.Notes, discNoteMissing)
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
		out.SameSite = discSameSite(c.SameSite)
		out.Problems = discCookieProblems(c, isRefresh)
		switch {
		case out.SameSite == "":
			out.Notes = append(out.Notes, discNoteNoSameSite)
		case out.SameSite == "None":
			out.Notes = append(out.Notes, discNoteSameSiteNone)
		}
		if !isRefresh && !c.HttpOnly {
			out.Notes = append(out.Notes, discNoteScriptable)
		}
		return out
	}
	out.Notes = append(out.Notes, discNoteMissing)
	return out
}

// discCookieProblems lists the attributes c lacks: all of them for the
// refresh cookie, what its name prefix demands for another cookie.
func discCookieProblems(c *http.Cookie, isRefresh bool) []string {
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

func discSameSite(s http.SameSite) string {
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
