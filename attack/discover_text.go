package attack

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText prints the fingerprint, the experiments' observations, the
// violations and the weaknesses as text tables for people.
func (f *Fingerprint) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }

	p("refreshstorm probe: %s (profile %s, delays up to %v, declared reuse %s, %v)",
		f.Target, f.Profile, discDur(f.MaxDelayMS), f.DeclaredReuse, discDur(f.ElapsedMS))
	p("")
	p("FINGERPRINT")
	p("  grace window\t%s", f.Grace.Text)
	p("  window usable by\t%s", discWords(f.WindowUsers))
	p("  duplicate gets\t%s", discDupText(f.DuplicateGets))
	p("  reuse outside window\t%s", discReuseText(f.Reuse))
	p("  revocation\t%s", discRevocationText(f.Revocation))
	p("  concurrent duplicates\t%s", discConcurrencyText(f.Concurrent))
	p("  CSRF missing\t%s", f.CSRF.Missing)
	p("  CSRF wrong\t%s", f.CSRF.Wrong)
	p("  CSRF other family\t%s", f.CSRF.OtherFamily)
	p("  CSRF rejections\t%s", discSideEffectText(f.CSRF.SideEffectFree))
	for _, s := range []struct {
		step string
		set  ProbeCookieSet
	}{{"sign-in", f.Cookies.SignIn}, {"refresh", f.Cookies.Refresh}} {
		p("  cookies (%s)\trefresh: %s", s.step, discCookieText(s.set.RefreshCookie))
		p("  \taccess: %s", discCookieText(s.set.AccessCookie))
	}
	p("")
	p("EXPERIMENTS")
	p("  lost-response retry: refresh T0→T1, present T0 again after d")
	p("    d\tstatus\terror\tgot\tT1 works\tduplicate's child works")
	for _, t := range f.Experiments.LostResponse {
		p("    %v\t%d\t%s\t%s\t%s\t%s", discDur(t.DelayMS), t.Status, discDash(t.Error), t.Got, discYesNo(t.ChildWorks), discYesNo(t.DuplicateWorks))
	}
	p("  concurrent duplicates: N refreshes of one token released on one barrier")
	p("    N\tround\tstatuses\terrors\tdistinct children\tlive children\tspread\tfork")
	for _, c := range f.Experiments.Concurrent {
		p("    %d\t%d\t%s\t%s\t%d\t%d\t%v\t%s", c.N, c.Round, discCounts(c.Statuses), discDash(strings.Join(c.ErrorCodes, " ")),
			c.DistinctChildren, c.LiveChildren, time.Duration(c.SpreadUS)*time.Microsecond, discYesNo(&c.Fork))
	}
	for _, s := range []struct {
		title  string
		trials []ProbeReplayTrial
	}{
		{"parent replay: T0→T1→T2, present T1 after d", f.Experiments.ParentReplay},
		{"grandparent replay: T0→T1→T2, present T0 after d", f.Experiments.GrandparentReplay},
	} {
		p("  %s", s.title)
		p("    d\tstatus\terror\tgot\tT2 session\tT2 refresh\trevoked\tlater (after)\tzombie")
		for _, t := range s.trials {
			later := "-"
			if t.LaterWaitMS > 0 {
				later = fmt.Sprintf("%s/%s (%v)", discStatus(t.LaterAccessStatus), discStatus(t.LaterRefreshStatus), discDur(t.LaterWaitMS))
			}
			p("    %v\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s", discDur(t.DelayMS), t.Status, discDash(t.Error), t.Got,
				discStatus(t.NewestAccessStatus), discStatus(t.NewestRefreshStatus), discYesNo(t.FamilyRevoked), later, discYesNo(t.Zombie))
		}
	}
	p("  CSRF variants: refresh with a tampered header, then the same cookie with the valid one")
	p("    variant\tstatus\terror\taccepted\tsame cookie after\tside-effect free")
	for _, t := range f.Experiments.CSRF {
		after := "-"
		if t.CheckStatus != 0 {
			after = strconv.Itoa(t.CheckStatus)
			if t.CheckError != "" {
				after += " " + t.CheckError
			}
		}
		p("    %s\t%d\t%s\t%s\t%s\t%s", t.Variant, t.Status, discDash(t.Error), discYesNo(&t.Accepted), after, discYesNo(t.SideEffectFree))
	}
	p("")
	if len(f.Violations) == 0 {
		p("VIOLATIONS: none")
	} else {
		p("VIOLATIONS (%d)", len(f.Violations))
		for _, v := range f.Violations {
			p("  %s\t%s\t%s", v.Key, v.Experiment, v.Detail)
		}
	}
	if len(f.Weaknesses) == 0 {
		p("WEAKNESSES: none")
	} else {
		p("WEAKNESSES (%d)", len(f.Weaknesses))
		for _, v := range f.Weaknesses {
			p("  %s\t%s\t%s", v.Key, v.Experiment, v.Detail)
		}
	}
	p("")
	if f.Violated() {
		p("verdict: FAIL (%d invariant violation(s))", len(f.Violations))
	} else {
		p("verdict: PASS (no invariant violated)")
	}
	return tw.Flush()
}

func discDur(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

func discDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func discStatus(s int) string {
	if s == 0 {
		return "-"
	}
	return strconv.Itoa(s)
}

func discYesNo(b *bool) string {
	switch {
	case b == nil:
		return "-"
	case *b:
		return "yes"
	}
	return "no"
}

// discCounts renders sorted statuses as counts, e.g. "200×1 401×1".
func discCounts(v []int) string {
	var parts []string
	for i := 0; i < len(v); {
		j := i
		for j < len(v) && v[j] == v[i] {
			j++
		}
		parts = append(parts, fmt.Sprintf("%d×%d", v[i], j-i))
		i = j
	}
	return strings.Join(parts, " ")
}

func discWords(s string) string { return strings.ReplaceAll(s, "_", " ") }

func discDupText(s string) string {
	switch s {
	case ProbeNone:
		return "none (strict: no duplicate is accepted)"
	case ProbeSameChildOrHead:
		return "the same child, which is the current head (a parent-only window cannot tell the two apart)"
	case ProbeSameChild:
		return "the same child"
	case ProbeCurrentHead:
		return "the current head"
	case ProbeSibling:
		return "a new sibling"
	}
	return discWords(s)
}

func discReuseText(s string) string {
	switch s {
	case ProbeRevokeFamily:
		return "revokes the family"
	case ProbeRejectOnly:
		return "reuse rejected only (no revocation)"
	case ProbeNeverRejected:
		return "never rejected up to the longest delay"
	}
	return discWords(s)
}

func discRevocationText(s string) string {
	switch s {
	case ProbeDurable:
		return "durable (still dead after the window)"
	case ProbeZombie:
		return "zombie (the family works again later)"
	case ProbePartial:
		return "partial (access cookie still opens the session)"
	case ProbeNone:
		return "none (nothing was revoked)"
	}
	return discWords(s)
}

func discConcurrencyText(c ProbeConcurrency) string {
	fork := "no fork"
	if c.Forks {
		fork = "FORK"
	}
	return fmt.Sprintf("%s (most live children after one burst: %d; %d of %d bursts left no working child)", fork, c.MaxLiveChildren, c.Logouts, c.Rounds)
}

func discSideEffectText(b *bool) string {
	switch {
	case b == nil:
		return "side effects not checked"
	case *b:
		return "side-effect free"
	}
	return "HAVE SIDE EFFECTS"
}

func discCookieText(c ProbeCookie) string {
	if !c.Present {
		return "not found"
	}
	var parts []string
	flag := func(ok bool, name string) {
		if ok {
			parts = append(parts, name)
		} else {
			parts = append(parts, "no "+name)
		}
	}
	flag(c.Secure, "Secure")
	flag(c.HTTPOnly, "HttpOnly")
	if c.Path == "" {
		parts = append(parts, "no Path")
	} else {
		parts = append(parts, "Path="+c.Path)
	}
	if c.Domain == "" {
		parts = append(parts, "no Domain")
	} else {
		parts = append(parts, "Domain="+c.Domain)
	}
	if c.SameSite == "" {
		parts = append(parts, "no SameSite")
	} else {
		parts = append(parts, "SameSite="+c.SameSite)
	}
	s := c.Name + " " + strings.Join(parts, " ")
	if len(c.Problems) > 0 {
		s += "  [" + strings.Join(c.Problems, ", ") + "]"
	}
	return s
}
