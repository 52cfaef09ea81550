package attack

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseResolve(t *testing.T) {
	good := map[string][2]string{
		"auth.example.com:443:10.0.0.7": {"auth.example.com:443", "10.0.0.7:443"},
		"localhost:8443:[::1]":          {"localhost:8443", "[::1]:8443"},
	}
	for in, want := range good {
		from, to, err := ParseResolve(in)
		if err != nil || from != want[0] || to != want[1] {
			t.Errorf("%s: %s → %s (%v), want %v", in, from, to, err, want)
		}
	}
	for _, bad := range []string{"", "host", "host:443", "host:x:10.0.0.1", ":443:10.0.0.1", "host:443:not-an-ip", "host:70000:10.0.0.1"} {
		if _, _, err := ParseResolve(bad); err == nil || !strings.Contains(err.Error(), "--resolve") {
			t.Errorf("%q: err %v, want one naming --resolve", bad, err)
		}
	}
}

func TestProxyURLsAreChecked(t *testing.T) {
	if _, err := proxyFunc("ftp://x"); err == nil {
		t.Error("ftp proxy accepted")
	}
	_, err := proxyFunc("http://user:hunter2@")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err %v: want an error without the password", err)
	}
	if p, err := proxyFunc(""); p != nil || err != nil {
		t.Error("no --proxy must mean no proxy, not the environment's")
	}
}

// connCounter is a loopback server that counts the connections it
// accepts and the most it held open at once.
type connCounter struct {
	srv              *httptest.Server
	mu               sync.Mutex
	open, max, total int
}

func newConnCounter(t *testing.T, handler http.HandlerFunc) *connCounter {
	c := &connCounter{}
	c.srv = httptest.NewUnstartedServer(handler)
	c.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch st {
		case http.StateNew:
			c.open++
			c.total++
			c.max = max(c.max, c.open)
		case http.StateClosed, http.StateHijacked:
			c.open--
		}
	}
	c.srv.Start()
	t.Cleanup(c.srv.Close)
	return c
}

func (c *connCounter) counts() (total, most int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total, c.max
}

func getN(t *testing.T, rt http.RoundTripper, url string, n int, parallel bool) {
	t.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		do := func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if parallel {
			go do()
		} else {
			do()
		}
	}
	wg.Wait()
}

// TestKeepAliveOffOpensAConnectionPerRequest: sequential requests share
// one connection by default and get one each with NoKeepAlive.
func TestKeepAliveOffOpensAConnectionPerRequest(t *testing.T) {
	for _, off := range []bool{false, true} {
		c := newConnCounter(t, func(w http.ResponseWriter, r *http.Request) {})
		tr, err := NewClientTransport(8, ClientOptions{NoKeepAlive: off})
		if err != nil {
			t.Fatal(err)
		}
		getN(t, tr, c.srv.URL, 5, false)
		tr.CloseIdleConnections()
		if total, _ := c.counts(); (off && total != 5) || (!off && total != 1) {
			t.Errorf("keep-alive off=%v: %d connections for 5 requests", off, total)
		}
	}
}

// TestMaxConnsPerHostBoundsConnections: 8 slow requests at once open at
// most 2 connections when bounded so.
func TestMaxConnsPerHostBoundsConnections(t *testing.T) {
	c := newConnCounter(t, func(w http.ResponseWriter, r *http.Request) { time.Sleep(50 * time.Millisecond) })
	tr, err := NewClientTransport(8, ClientOptions{MaxConnsPerHost: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.CloseIdleConnections()
	getN(t, tr, c.srv.URL, 8, true)
	if total, most := c.counts(); most > 2 || total > 2 {
		t.Errorf("%d connections, %d at once; want at most 2", total, most)
	}
}
