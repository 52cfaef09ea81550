package main

import (
	"time"

	"github.com/refreshstorm/refreshstorm/internal/memory"
	"github.com/refreshstorm/refreshstorm/results"
)

// settleHeap runs between the bootstrap and the load: see memory.Settle.
// It records what it did in b.
func settleHeap(b *results.Bootstrap) {
	st := memory.Settle()
	b.HeapBytes, b.GCPercent = st.HeapBytes, st.GCPercent
	b.RSSBytes = memory.Resident()
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
