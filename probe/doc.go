// Package probe discovers a target's rotation policy: deterministic
// single-session experiments, each on a fresh family, whose answers are
// summed up as a fingerprint of the server (grace window, duplicate
// handling, reuse detection and revocation) and the invariants it breaks.
// It needs only an http.Client, a profile and credentials, never the load
// engine.
package probe
