package results

import (
	"strconv"
	"time"
)

// eventsHeader is the first row of events.csv. weight is how many
// requests the row stands for: 1, or N for a plain success kept by a
// 1-in-N sample. Per-second counts and percentiles read from the file
// weigh each row by it; totals come from summary.json.
const eventsHeader = "time,seq,session,family,kind,chaos,status,outcome,latency_ms,corrected_ms,detail,weight\n"

// eventsHeaderUnweighted is the header of events.csv files written before
// the weight column (every row then stood for one request). merge reads
// them and writes their rows with weight 1.
const eventsHeaderUnweighted = "time,seq,session,family,kind,chaos,status,outcome,latency_ms,corrected_ms,detail\n"

// appendEvent appends one events.csv row for o without allocating (buf is
// reused by the caller).
func appendEvent(buf []byte, o *Observation, kind Kind, out string, corrected time.Duration, weight uint64) []byte {
	buf = o.Start.UTC().AppendFormat(buf, time.RFC3339Nano)
	buf = append(buf, ',')
	buf = strconv.AppendUint(buf, o.Seq, 10)
	buf = append(buf, ',')
	buf = appendCSVField(buf, o.Session)
	buf = append(buf, ',')
	buf = appendCSVField(buf, o.Family)
	buf = append(buf, ',')
	buf = append(buf, kind.String()...)
	buf = append(buf, ',')
	buf = appendCSVField(buf, o.Chaos)
	buf = append(buf, ',')
	buf = strconv.AppendInt(buf, int64(o.Status), 10)
	buf = append(buf, ',')
	buf = append(buf, out...)
	buf = append(buf, ',')
	buf = appendMs(buf, o.Latency)
	buf = append(buf, ',')
	buf = appendMs(buf, corrected)
	buf = append(buf, ',')
	buf = appendCSVField(buf, o.Detail)
	buf = append(buf, ',')
	buf = strconv.AppendUint(buf, weight, 10)
	return append(buf, '\n')
}

// appendMs writes d as milliseconds with microsecond precision.
func appendMs(buf []byte, d time.Duration) []byte {
	return strconv.AppendFloat(buf, ms(d), 'f', 3, 64)
}

// appendCSVField quotes s per RFC 4180 when it needs quoting.
func appendCSVField(buf []byte, s string) []byte {
	needs := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			needs = true
		}
	}
	if s != "" && (s[0] == ' ' || s[0] == '\t') {
		needs = true
	}
	if !needs {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			buf = append(buf, '"')
		}
		buf = append(buf, s[i])
	}
	return append(buf, '"')
}
