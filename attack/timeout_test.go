package attack

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestWithTimeoutCoversTheBody: the deadline runs from sending to closing
// the body, over real loopback HTTP. A body that trickles past it fails
// mid-read; a prompt one is read whole after RoundTrip returned, and
// closing it ends the deadline; a caller's earlier deadline is kept.
func TestWithTimeoutCoversTheBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/trickle" {
			w.Header().Set("Content-Length", "100")
			for i := 0; i < 100 && r.Context().Err() == nil; i++ {
				_, _ = w.Write([]byte("x"))
				w.(http.Flusher).Flush()
				time.Sleep(50 * time.Millisecond)
			}
			return
		}
		_, _ = io.WriteString(w, strings.Repeat("y", 4096))
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: WithTimeout(tr, 400*time.Millisecond)}

	resp, err := client.Get(srv.URL + "/trickle")
	if err != nil {
		t.Fatalf("trickle: the headers should arrive in time: %v", err)
	}
	began := time.Now()
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !errors.Is(err, context.DeadlineExceeded) || n >= 100 {
		t.Fatalf("trickle: read %d bytes, error %v; want the deadline to cut the body", n, err)
	}
	if waited := time.Since(began); waited > 5*time.Second {
		t.Errorf("trickle: the read went on for %v", waited)
	}

	resp, err = client.Get(srv.URL + "/prompt")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the body is read after RoundTrip returned
	body, err := io.ReadAll(resp.Body)
	if err != nil || len(body) != 4096 {
		t.Fatalf("prompt: read %d bytes, error %v", len(body), err)
	}
	ctx := resp.Request.Context()
	if _, ok := ctx.Deadline(); !ok || ctx.Err() != nil {
		t.Fatalf("prompt: deadline %v, error %v before Close", ok, ctx.Err())
	}
	resp.Body.Close()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("prompt: closing the body left the deadline running (%v)", ctx.Err())
	}

	early, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(early, http.MethodGet, srv.URL+"/trickle", nil)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Request.Context() != early {
		t.Error("a request with an earlier deadline got another one")
	}
	if _, err := io.Copy(io.Discard, resp.Body); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("caller's deadline: %v", err)
	}
}
