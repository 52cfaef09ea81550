// Package targets owns the virtual sessions: each one's cookie chain, the
// pool that leases them to requests, the protocol profiles that turn a
// session into a refresh request and a response back into facts, the
// bootstrap that signs sessions in, and the vegeta Targeter.
package targets
