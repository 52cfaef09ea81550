// Package attack runs one load test: it paces refreshes through a vegeta
// Attacker, routes every request through a session-aware RoundTripper that
// asks the oracle for the outcome and updates the session, injects chaos
// and its follow-up probes, and feeds every observation to the results
// recorder from a single collector goroutine.
package attack
