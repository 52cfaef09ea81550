package dashboard

import (
	"fmt"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
)

// verdict is the run's pass/fail state so far, by the default thresholds
// (DESIGN §6): every fail_* must be 0 and undecided requests
// (transport_error + timeout) must stay under 1 % of all requests.
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
	return verdict{}
}
