package dashboard

// Header is the fixed context of a run shown at the top of the view.
type Header struct {
	Target string // URL or "embedded authserver (127.0.0.1:port)"
	Policy string
	Chaos  string // "" = none
}

// Control is implemented by the engine. All methods are safe from any
// goroutine and return quickly.
type Control interface {
	Stop()                        // q: end early, write results, exit by verdict
	Interrupt()                   // ctrl+c: as SIGINT
	SetPaused(paused bool)        // space: pause or resume the load
	SetRate(rate float64) float64 // returns the rate now in force; 0 = max
}
