package results

import (
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// Kind is the kind of request an observation was made for.
type Kind uint8

const (
	KindRefresh Kind = iota
	KindDuplicate
	KindReplay
	KindProbe
	KindSignIn

	NumKinds
)

var kindNames = [NumKinds]string{"refresh", "duplicate", "replay", "probe", "sign-in"}

func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind maps a kind name back to its Kind.
func ParseKind(name string) (Kind, bool) {
	for i, n := range kindNames {
		if n == name {
			return Kind(i), true
		}
	}
	return 0, false
}

// Observation is one classified request. It carries fingerprints, never
// tokens.
type Observation struct {
	Start   time.Time // when the request was sent
	Seq     uint64    // vegeta sequence number for load requests; 0 otherwise
	Session string    // salted session fingerprint
	Family  string    // salted family fingerprint
	Kind    Kind
	Chaos   string // chaos tag: "" for plain load, else e.g. "lost-response"
	Status  int    // HTTP status, 0 when there was no response
	Outcome oracle.Outcome
	Latency time.Duration
	// Corrected is the latency measured from the request's intended send
	// time (the pacer's schedule), so that stalls of the load generator are
	// not hidden (coordinated omission). Equal to Latency when unscheduled.
	Corrected time.Duration
	Detail    string // the oracle's one-line explanation; never a secret
	Stage     int    // index of the stage the request was sent in
}
