// Package results turns classified observations into numbers: HDR latency
// histograms (raw and coordinated-omission corrected), outcome counters,
// per-second windows, the summary, thresholds and the exported files.
package results
