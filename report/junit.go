package report

import (
	"encoding/xml"
	"fmt"
	"github.com/refreshstorm/refreshstorm/results"
	"io"

	"github.com/refreshstorm/refreshstorm/oracle"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func (s *junitSuite) add(c junitCase) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
}

// WriteJUnit writes junit.xml: a suite of invariants (one testcase per
// fail_* outcome, failing when it occurred, with its count and meaning) and
// a suite of thresholds (one testcase per evaluated threshold that is not
// already one of those invariants) and, given a comparison, a suite with one
// testcase per judged metric.
func WriteJUnit(w io.Writer, s *results.Summary, cmp *results.Comparison) error {
	elapsed := fmt.Sprintf("%.3f", s.ElapsedS)
	stamp := s.StartedAt.UTC().Format("2006-01-02T15:04:05")
	inv := junitSuite{Name: "refreshstorm.invariants", Time: elapsed, Timestamp: stamp}
	for _, o := range oracle.AllOutcomes() {
		if !o.IsFailure() {
			continue
		}
		c := junitCase{Name: o.String(), Classname: inv.Name, Time: "0"}
		if n := s.Outcomes[o]; n > 0 {
			msg := fmt.Sprintf("%s: %d requests: %s", o, n, o.Meaning())
			c.Failure = &junitFailure{Message: msg, Type: "invariant", Text: msg + invariantExamples(s, o)}
		} else {
			c.SystemOut = fmt.Sprintf("0 requests; would mean: %s", o.Meaning())
		}
		inv.add(c)
	}

	ths := junitSuite{Name: "refreshstorm.thresholds", Time: elapsed, Timestamp: stamp}
	for _, r := range s.Thresholds {
		if t, err := results.ParseThreshold(r.Expr); err == nil {
			if t.IsInvariant() {
				continue
			}
		}
		value := "value " + formatValue(r.Value, r.Unit)
		c := junitCase{Name: r.Expr, Classname: ths.Name, Time: "0", SystemOut: value}
		if !r.Pass {
			c.Failure = &junitFailure{Message: r.Expr + ": " + value, Type: "threshold", Text: r.Expr + " did not hold: " + value}
		}
		ths.add(c)
	}

	doc := junitSuites{Name: "refreshstorm", Time: elapsed, Suites: []junitSuite{inv, ths}}
	if cmp != nil {
		doc.Suites = append(doc.Suites, compareSuite(cmp, elapsed, stamp))
	}
	for _, st := range doc.Suites {
		doc.Tests += st.Tests
		doc.Failures += st.Failures
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// invariantExamples adds the chaos kinds that produced o, if any.
func invariantExamples(s *results.Summary, o oracle.Outcome) string {
	out := ""
	for _, k := range chaosKinds(s) {
		if n := s.Chaos.Produced[k][o.String()]; n > 0 {
			out += fmt.Sprintf("\n%d after chaos %s", n, k)
		}
	}
	return out
}

// compareSuite has a testcase per judged metric of the comparison, failing
// on a regression; runs that are not comparable fail one testcase.
func compareSuite(c *results.Comparison, elapsed, stamp string) junitSuite {
	st := junitSuite{Name: "refreshstorm.compare", Time: elapsed, Timestamp: stamp}
	if c.Verdict == results.CompareNotComparable {
		msg := Headline(c)
		st.add(junitCase{Name: "comparable", Classname: st.Name, Time: "0",
			Failure: &junitFailure{Message: msg, Type: "compare", Text: msg}})
		return st
	}
	for _, r := range c.Rows {
		if r.Tolerance == "" {
			continue
		}
		line := fmt.Sprintf("base %s, current %s, change %s, tolerance %s", withCI(r, r.Base, r.BaseCI), withCI(r, r.Cur, r.CurCI), delta(r), r.Tolerance)
		jc := junitCase{Name: r.Metric, Classname: st.Name, Time: "0", SystemOut: line}
		if r.Change == results.ChangeWorse {
			jc.Failure = &junitFailure{Message: r.Metric + " regressed: " + line, Type: "regression", Text: line}
		}
		st.add(jc)
	}
	return st
}
