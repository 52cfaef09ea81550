// Package memory settles the Go heap once a run's sessions are ready and
// reads the process's resident memory, the figure a machine pays for.
package memory

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Headroom is the garbage the load may pile up between collections once
// the sessions are ready. By default Go lets the heap double before
// collecting; with a million sessions (over a gigabyte live) that would
// double the resident memory for nothing: idle sessions make no garbage,
// requests a little.
const Headroom = 16 << 20

// MinGCPercent bounds the collector's work at very large pools: each
// collection marks every session.
const MinGCPercent = 10

// Settled is what Settle found and did.
type Settled struct {
	HeapBytes uint64 // live heap after a full collection
	// GCPercent is the GOGC set: 100 × Headroom / live heap, between
	// MinGCPercent and 100; -1 when GOGC or GOMEMLIMIT chose for the user.
	GCPercent int
}

// Settle collects, returns the freed memory (the bootstrap's parsed files
// and responses) to the system, and unless the environment sets GOGC or
// GOMEMLIMIT, bounds the heap's growth to Headroom over what is live.
func Settle() Settled {
	debug.FreeOSMemory() // a full collection, then memory back to the system
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := Settled{HeapBytes: ms.HeapAlloc, GCPercent: -1}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		st.GCPercent = 100
		if ms.HeapAlloc > 0 {
			st.GCPercent = int(min(100, max(MinGCPercent, uint64(Headroom)*100/ms.HeapAlloc)))
		}
		debug.SetGCPercent(st.GCPercent)
	}
	return st
}

// Resident is this process's VmRSS from /proc in bytes; 0 where /proc is
// not available.
func Resident() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
