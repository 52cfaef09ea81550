package probe

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// WriteText prints the fingerprint, the experiments' observations, the
// violations and the weaknesses as text tables for people.
func (f *Fingerprint) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }

	p("refreshstorm probe: %s (profile %s, delays up to %v, declared reuse %s, %v)",
		f.Target, f.Profile, dur(f.MaxDelayMS), f.DeclaredReuse, dur(f.ElapsedMS))
	p("")
	p("FINGERPRINT")
	p("  grace window\t%s", f.Grace.Text)
	p("  rotation\t%s", rotationText(f))
	p("  access tokens\t%s", words(f.AccessTokens))
	p("  window usable by\t%s", words(f.WindowUsers))
	p("  duplicate gets\t%s", dupText(f.DuplicateGets))
	p("  reuse outside window\t%s", reuseText(f.Reuse))
	p("  revocation\t%s", revocationText(f.Revocation))
	p("  concurrent duplicates\t%s", concurrencyText(f.Concurrent))
	if f.CSRF.Missing == NotApplicable {
		p("  CSRF, cookies\tnot applicable (profile %s)", f.Profile)
	} else {
		p("  CSRF missing\t%s", f.CSRF.Missing)
		p("  CSRF wrong\t%s", f.CSRF.Wrong)
		p("  CSRF other family\t%s", f.CSRF.OtherFamily)
		p("  CSRF rejections\t%s", sideEffectText(f.CSRF.SideEffectFree))
		for _, s := range []struct {
			step string
			set  CookieSet
		}{{"sign-in", f.Cookies.SignIn}, {"refresh", f.Cookies.Refresh}} {
			p("  cookies (%s)\trefresh: %s", s.step, cookieText(s.set.RefreshCookie))
			p("  \taccess: %s", cookieText(s.set.AccessCookie))
		}
	}
	p("")
	p("REUSE, BY HOW THE ROTATED TOKEN CAME BACK (judged by the oracle)")
	p("  way\ttrials\tdetected\trevocation\trefresh survived\taccess survived\toutcomes")
	for _, v := range f.Reuses {
		way := words(v.Way)
		if v.DelayMS != nil {
			way += " after " + dur(*v.DelayMS).String()
		}
		p("  %s\t%d\t%d %s\t%s\t%d/%d\t%d/%d\t%s", way, v.Trials, v.Rejected, v.Detection, wayRevocationText(v.Revocation),
			v.RefreshSurvived, v.Checked, v.AccessSurvived, v.Checked, outcomeList(v.Outcomes))
	}
	p("")
	p("EXPERIMENTS")
	p("  lost-response retry: refresh T0→T1, present T0 again after d")
	p("    d\tstatus\terror\tgot\tT1 works\tduplicate's child works")
	for _, t := range f.Experiments.LostResponse {
		p("    %v\t%d\t%s\t%s\t%s\t%s", dur(t.DelayMS), t.Status, dash(t.Error), t.Got, yesNo(t.ChildWorks), yesNo(t.DuplicateWorks))
	}
	p("  concurrent duplicates: N refreshes of one token released on one barrier")
	p("    N\tround\tstatuses\terrors\tdistinct children\tlive children\tdead children\tspread\tfork")
	for _, c := range f.Experiments.Concurrent {
		p("    %d\t%d\t%s\t%s\t%d\t%d\t%d\t%v\t%s", c.N, c.Round, countList(c.Statuses), dash(strings.Join(c.ErrorCodes, " ")),
			c.DistinctChildren, c.LiveChildren, c.DeadChildren, time.Duration(c.SpreadUS)*time.Microsecond, yesNo(&c.Fork))
	}
	for _, s := range []struct {
		title  string
		trials []ReplayTrial
	}{
		{"parent replay: T0→T1→T2, present T1 after d", f.Experiments.ParentReplay},
		{"grandparent replay: T0→T1→T2, present T0 after d", f.Experiments.GrandparentReplay},
	} {
		p("  %s", s.title)
		p("    d\tstatus\terror\tgot\tT2 session\tT2 refresh\trevoked\tlater (after)\tzombie")
		for _, t := range s.trials {
			later := "-"
			if t.LaterWaitMS > 0 {
				later = fmt.Sprintf("%s/%s (%v)", statusText(t.LaterAccessStatus), statusText(t.LaterRefreshStatus), dur(t.LaterWaitMS))
			}
			p("    %v\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s", dur(t.DelayMS), t.Status, dash(t.Error), t.Got,
				statusText(t.NewestAccessStatus), statusText(t.NewestRefreshStatus), yesNo(t.FamilyRevoked), later, yesNo(t.Zombie))
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
		p("    %s\t%d\t%s\t%s\t%s\t%s", t.Variant, t.Status, dash(t.Error), yesNo(&t.Accepted), after, yesNo(t.SideEffectFree))
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

func dur(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func statusText(s int) string {
	if s == 0 {
		return "-"
	}
	return strconv.Itoa(s)
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "-"
	case *b:
		return "yes"
	}
	return "no"
}

// countList renders sorted statuses as counts, e.g. "200×1 401×1".
func countList(v []int) string {
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

func words(s string) string { return strings.ReplaceAll(s, "_", " ") }

func dupText(s string) string {
	switch s {
	case None:
		return "none (strict: no duplicate is accepted)"
	case SameChildOrHead:
		return "the same child, which is the current head (a parent-only window cannot tell the two apart)"
	case SameChild:
		return "the same child"
	case CurrentHead:
		return "the current head"
	case Sibling:
		return "a new sibling"
	}
	return words(s)
}

func reuseText(s string) string {
	switch s {
	case RevokeFamily:
		return "revokes the family"
	case RejectOnly:
		return "reuse rejected only (no revocation)"
	case NeverRejected:
		return "never rejected up to the longest delay"
	}
	return words(s)
}

func revocationText(s string) string {
	switch s {
	case Durable:
		return "durable (still dead after the window)"
	case Zombie:
		return "zombie (the family works again later)"
	case Partial:
		return "partial (access cookie still opens the session)"
	case None:
		return "none (nothing was revoked)"
	case Lagging:
		return "lagging (revoked only after a delay: the newest token works meanwhile)"
	}
	return words(s)
}

func concurrencyText(c Concurrency) string {
	fork := "no fork"
	if c.Forks {
		fork = "FORK"
	}
	return fmt.Sprintf("%s (most live children after one burst: %d; %d of %d bursts left no working child: race logouts, user impact)", fork, c.MaxLiveChildren, c.RaceLogouts, c.Rounds)
}

func sideEffectText(b *bool) string {
	switch {
	case b == nil:
		return "side effects not checked"
	case *b:
		return "side-effect free"
	}
	return "HAVE SIDE EFFECTS"
}

func cookieText(c Cookie) string {
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

func wayRevocationText(s string) string {
	switch s {
	case RevokedBoth:
		return "family revoked (refresh and access died)"
	case RevokedNot:
		return "rejected without revocation"
	case RevokedRefresh:
		return "partial: refresh died, access lives"
	case RevokedAccess:
		return "partial: access died, refresh lives"
	case RevokedNA:
		return "-"
	}
	return words(s)
}

// outcomeList renders outcome counts in the oracle's order.
func outcomeList(m map[string]int) string {
	var parts []string
	for _, o := range oracle.AllOutcomes() {
		if n := m[o.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s×%d", o, n))
		}
	}
	return strings.Join(parts, " ")
}

func rotationText(f *Fingerprint) string {
	switch f.Rotation {
	case RotationAfterInterval:
		iv := f.RotationInterval
		return fmt.Sprintf("after an interval: the same token came back up to %v old, a new one at %v", dur(iv.KeptUpToMS), dur(iv.RotatedAtMS))
	case RotationNever:
		return "never (the same token came back for longer than --max-delay)"
	}
	return "every refresh"
}
