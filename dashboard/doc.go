// Package dashboard draws the live full-screen terminal view of a running
// refreshstorm run from periodic results snapshots, and turns the user's keys
// into engine controls (stop, interrupt, pause, rate).
//
// The dashboard never sits on the request path: it pulls a
// results.Snapshot a few times a second from its own goroutine and renders it.
package dashboard
