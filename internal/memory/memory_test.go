package memory

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestSettleBoundsGrowth(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT set: Settle leaves the collector alone")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	live := make([][]byte, 0, 1<<12)
	for i := 0; i < 1<<12; i++ { // 128 MiB live: eight times Headroom
		b := make([]byte, 32<<10)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1 // touched pages are resident
		}
		live = append(live, b)
	}
	st := Settle()
	if st.HeapBytes < 128<<20 || st.GCPercent < MinGCPercent || st.GCPercent > 15 {
		t.Errorf("settled %+v: want 100 × 16 MiB / about 128 MiB", st)
	}
	if got := debug.SetGCPercent(st.GCPercent); got != st.GCPercent {
		t.Errorf("GOGC is %d, Settle said %d", got, st.GCPercent)
	}
	runtime.KeepAlive(live)
	if runtime.GOOS == "linux" && Resident() < 128<<20 {
		t.Errorf("resident %d bytes with 128 MiB live", Resident())
	}
}
