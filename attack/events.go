package attack

import (
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/results"
	"github.com/refreshstorm/refreshstorm/targets"
)

// evKind says what an event tells the collector.
type evKind uint8

const (
	evObservation evKind = iota // a classified request outside vegeta's results
	evFamilyEnd                 // a family ended with state
	evRaceLogout                // a benign race logged a legitimate client out
	evReSignIn                  // a slot signed a new family in
	evInjected                  // a chaos event started
	evSpread                    // send-time spread of a concurrent burst
	evLostSlot                  // a slot could not be signed in again
)

// event is everything that reaches the collector besides vegeta results.
// The collector is the only reader, so it owns the counters they feed.
type event struct {
	kind   evKind
	obs    results.Observation
	state  oracle.FamilyState
	chaos  ChaosKind
	spread time.Duration
}

func (e *Engine) emit(ev event) { e.events <- ev }

// injected reports a chaos event as it is sent; the time places it in
// its stage.
func (e *Engine) injected(kind ChaosKind) {
	e.emit(event{kind: evInjected, chaos: kind, obs: results.Observation{Start: time.Now()}})
}

// observe reports a request made outside vegeta (duplicates, replays,
// probes, follow-ups).
func (e *Engine) observe(kind results.Kind, chaos ChaosKind, s *targets.Session, sent time.Time, lat time.Duration, status int, j oracle.Judgement) {
	e.emit(event{kind: evObservation, obs: results.Observation{
		Start:     sent,
		Session:   s.FP(),
		Family:    s.FamilyFP(),
		Kind:      kind,
		Chaos:     chaos.String(),
		Status:    status,
		Outcome:   j.Outcome,
		Latency:   lat,
		Corrected: lat,
		Detail:    secretFree(j.Detail, s),
	}})
}
