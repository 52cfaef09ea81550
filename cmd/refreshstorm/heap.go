package main

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/refreshstorm/refreshstorm/results"
)

// heapHeadroom is the garbage the load may pile up between collections
// once the sessions are ready. By default Go lets the heap double before
// collecting; with a million sessions (1.5 GB live) that would double the
// resident memory for nothing: idle sessions make no garbage, requests a
// little.
const heapHeadroom = 32 << 20

// minGCPercent bounds the collector's work at very large pools: each
// collection marks every session.
const minGCPercent = 10

// settleHeap runs between the bootstrap and the load. It returns the
// garbage of the bootstrap (parsed CSV, sign-in responses) to the system
// and, unless GOGC or GOMEMLIMIT chose otherwise, bounds the heap's
// growth to heapHeadroom over what is live (but at least minGCPercent %).
// It records what it did in b.
func settleHeap(b *results.Bootstrap) {
	debug.FreeOSMemory() // a full collection, then memory back to the system
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.HeapBytes = ms.HeapAlloc
	b.GCPercent = -1
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		pct := 100
		if ms.HeapAlloc > 0 {
			pct = int(min(100, max(minGCPercent, uint64(heapHeadroom)*100/ms.HeapAlloc)))
		}
		debug.SetGCPercent(pct)
		b.GCPercent = pct
	}
	b.RSSBytes = residentBytes()
}

// residentBytes reads VmRSS of this process from /proc; 0 elsewhere.
func residentBytes() uint64 {
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

// bootstrapRecord starts the record of a bootstrap; done fills in its
// duration and rate.
func bootstrapRecord(mode string, sessions int) (*results.Bootstrap, func()) {
	b := &results.Bootstrap{Mode: mode, Sessions: sessions}
	began := time.Now()
	return b, func() {
		b.Seconds = time.Since(began).Seconds()
		if b.Seconds > 0 {
			b.PerSecond = float64(sessions) / b.Seconds
		}
	}
}
