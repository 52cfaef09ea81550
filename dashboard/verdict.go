package dashboard

import (
	"fmt"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// verdict is the run's pass/fail state so far. Every threshold is judged
// once a second by the engine with the final verdict's code
// (Snapshot.Failing); failures and undecided requests are also checked on
// every frame, so they show at once.
type verdict struct {
	failing bool
	reason  string // why it fails; "" when passing
}

func judge(s *results.Snapshot) verdict {
	if n := s.Failures(); n > 0 {
		word := "failures"
		if n == 1 {
			word = "failure"
		}
		return verdict{failing: true, reason: fmt.Sprintf("%s %s", fmtCount(n), word)}
	}
	undecided := s.Outcomes[oracle.TransportError] + s.Outcomes[oracle.Timeout]
	if s.Total > 0 && undecided*100 >= s.Total {
		return verdict{failing: true, reason: "undecided " + fmtShare(undecided, s.Total)}
	}
	if s.Failing != "" {
		return verdict{failing: true, reason: s.Failing}
	}
	return verdict{}
}
