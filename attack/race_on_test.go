//go:build race

package attack

// raceDetector: the race detector makes sync.Pool drop items at random,
// so allocation counts taken under it say nothing about the code.
const raceDetector = true
