package dashboard

import (
	"fmt"
	"sort"

	"github.com/refreshstorm/refreshstorm/oracle"
)

const stateLabelW = 10

// stateLines shows family end states, the session pool, race logouts and
// what each chaos kind injected and produced.
func (m Model) stateLines(w int) []string {
	st, s := m.st, &m.cur
	lines := []string{st.heading("families · sessions · chaos", w)}

	fam := make([]string, 0, oracle.NumFamilyStates)
	for i := range oracle.NumFamilyStates {
		f := oracle.FamilyState(i)
		n := s.Families[f]
		v := fmtCount(n)
		if n > 0 && f != oracle.FamilyHealthy && f != oracle.FamilyRevokedCorrectly {
			v = st.bad.Render(v)
		}
		fam = append(fam, st.dim.Render(f.String())+" "+v)
	}
	lines = append(lines, flow(st.dim.Render("families"), stateLabelW, hangW, fam, w)...)

	race := fmtCount(s.RaceLogouts)
	per1k := 0.0
	if s.Refresh > 0 {
		per1k = float64(s.RaceLogouts) * 1000 / float64(s.Refresh)
	}
	race += fmt.Sprintf(" (%.2f/1k refreshes)", per1k)
	if s.RaceLogouts > 0 {
		race = st.warn.Render(race)
	}
	ses := []string{
		st.dim.Render("total") + " " + fmtCount(uint64(max(s.Sessions.Total, 0))),
		st.dim.Render("idle") + " " + fmtCount(uint64(max(s.Sessions.Idle, 0))),
		st.dim.Render("in flight") + " " + fmtCount(uint64(max(s.Sessions.InFlight, 0))),
		st.dim.Render("re-signed-in") + " " + fmtCount(s.Sessions.ReSignedIn),
		st.dim.Render("race_logouts") + " " + race,
	}
	lines = append(lines, flow(st.dim.Render("sessions"), stateLabelW, hangW, ses, w)...)
	return append(lines, m.chaosLines(w)...)
}

// chaosLines gives one entry per chaos kind: injected count, then the
// outcomes it produced, most frequent first.
func (m Model) chaosLines(w int) []string {
	st, s := m.st, &m.cur
	kinds := map[string]bool{}
	for k := range s.ChaosInjected {
		kinds[k] = true
	}
	for k := range s.ChaosProduced {
		kinds[k] = true
	}
	if len(kinds) == 0 {
		return flow(st.dim.Render("chaos"), stateLabelW, hangW, []string{st.dim.Render("none")}, w)
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)

	var lines []string
	for i, k := range names {
		items := []string{st.accent.Render(k) + " " + fmtCount(s.ChaosInjected[k]) + st.dim.Render(" injected →")}
		produced := s.ChaosProduced[k]
		outs := make([]oracle.Outcome, 0, len(produced))
		for o, n := range produced {
			if n > 0 {
				outs = append(outs, o)
			}
		}
		sort.Slice(outs, func(a, b int) bool {
			if produced[outs[a]] != produced[outs[b]] {
				return produced[outs[a]] > produced[outs[b]]
			}
			return outs[a] < outs[b]
		})
		for _, o := range outs {
			item := o.String() + " " + fmtCount(produced[o])
			if o.IsFailure() {
				item = st.bad.Render(item)
			}
			items = append(items, item)
		}
		if len(outs) == 0 {
			items = append(items, st.dim.Render("nothing yet"))
		}
		label := ""
		if i == 0 {
			label = st.dim.Render("chaos")
		}
		lines = append(lines, flow(label, stateLabelW, hangW, items, w)...)
	}
	return lines
}
