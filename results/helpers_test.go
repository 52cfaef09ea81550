package results

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// marker stands for a secret: it must never reach a result file.
const marker = "SECRETMARKER7f3a"

var testStart = time.Date(2026, 3, 1, 12, 0, 0, 250_000_000, time.UTC)

// genObservations makes n observations spread over the given seconds after
// start, with latencies from rng.
func genObservations(rng *rand.Rand, start time.Time, n int, seconds int) []Observation {
	out := make([]Observation, n)
	for i := range out {
		lat := time.Duration(200+rng.IntN(50_000)) * time.Microsecond
		if rng.IntN(100) == 0 {
			lat = time.Duration(1+rng.IntN(3)) * time.Second
		}
		kind := KindRefresh
		switch rng.IntN(20) {
		case 0:
			kind = KindDuplicate
		case 1:
			kind = KindReplay
		case 2:
			kind = KindProbe
		case 3:
			kind = KindSignIn
		}
		outc := oracle.OKRotated
		switch rng.IntN(50) {
		case 0:
			outc = oracle.RejReuse
		case 1:
			outc = oracle.FailFork
		case 2:
			outc = oracle.Timeout
		}
		chaos := ""
		if kind == KindDuplicate {
			chaos = "concurrent"
		}
		sendAt := time.Duration(rng.Int64N(int64(seconds) * int64(time.Second)))
		out[i] = Observation{
			Start:     start.Add(sendAt),
			Seq:       uint64(i),
			Session:   "s-" + string(rune('a'+i%26)),
			Family:    "f,\"quoted\"",
			Kind:      kind,
			Chaos:     chaos,
			Status:    200,
			Outcome:   outc,
			Latency:   lat,
			Corrected: lat + time.Duration(rng.IntN(5000))*time.Microsecond,
			Detail:    "detail, with comma",
		}
	}
	return out
}

// referenceHists builds load histograms independently of the package.
func referenceHists(obs []Observation) (raw, corrected *hdr.Histogram) {
	raw = hdr.New(1000, 60_000_000_000, 3)
	corrected = hdr.New(1000, 60_000_000_000, 3)
	for _, o := range obs {
		if o.Kind == KindProbe || o.Kind == KindSignIn {
			continue
		}
		raw.RecordValue(int64(o.Latency))
		corrected.RecordValue(int64(o.Corrected))
	}
	return raw, corrected
}

// secretResult is a vegeta result full of secrets.
func secretResult(seq uint64, at time.Time) *vegeta.Result {
	h := http.Header{}
	h.Add("Set-Cookie", "__Host-access="+marker+"a; Path=/; Secure; HttpOnly")
	h.Add("Set-Cookie", "__Host-refresh="+marker+"r; Path=/; Secure; HttpOnly; SameSite=Strict")
	h.Set("X-CSRF-Token", marker)
	h.Set("Authorization", "Bearer "+marker)
	h.Set("Content-Type", "application/json")
	return &vegeta.Result{
		Attack: "refresh", Seq: seq, Code: 200, Timestamp: at, Latency: 3 * time.Millisecond,
		Body:    []byte(`{"ok":true,"csrf_token":"` + marker + `"}`),
		Method:  "POST",
		URL:     "http://127.0.0.1:8080/api/auth/refresh?refresh_token=" + marker,
		Headers: h,
	}
}

func recordAll(t testing.TB, r *Recorder, obs []Observation) {
	t.Helper()
	for i := range obs {
		r.Record(&obs[i])
	}
}
