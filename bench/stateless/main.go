// Command stateless is the benchmarks' trivial target: every refresh gets
// a new refresh cookie and the cookie profile's success body, and nothing
// is remembered. Any token is accepted, so a fixed list of requests (the
// vegeta CLI's) and rotating sessions (refreshstorm's) cost it the same,
// and a comparison measures the clients.
//
//	go run ./bench/stateless -addr 127.0.0.1:8089
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync/atomic"
)

var body = []byte(`{"ok":true,"action":"refresh","refreshed":true,"session":{"session_family_id":"stateless"}}`)

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "listen address (keep it on loopback)")
	flag.Parse()
	var n atomic.Uint64
	http.HandleFunc("POST /api/auth/refresh", func(w http.ResponseWriter, _ *http.Request) {
		tok := strconv.AppendUint(make([]byte, 0, 48), n.Add(1), 36)
		for len(tok) < 43 { // the length of 32 random bytes in base64url
			tok = append(tok, 'x')
		}
		h := w.Header()
		h["Set-Cookie"] = []string{"__Host-refresh=" + string(tok) + "; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Strict"}
		h["Content-Type"] = []string{"application/json"}
		_, _ = w.Write(body)
	})
	http.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	log.Fatal(http.ListenAndServe(*addr, nil))
}
