package results

// IsInvariant reports whether t is exactly a default fail_* invariant
// (`rate.fail_x==0` or `fail_x==0`), which JUnit lists as an invariant
// rather than as a threshold.
func (t Threshold) IsInvariant() bool {
	_, ok := t.invariantOutcome()
	return ok
}
