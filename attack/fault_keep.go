package attack

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// faultCall is one faulted request: the fault to apply, and what the
// server really answered, kept by its connection. It travels to the
// fault transport in the request's context.
type faultCall struct {
	kind  ChaosKind
	delay time.Duration // net-latency's hold, net-stall's stall
	h2    bool
	req   *http.Request

	// unsent is set while the request is held back, wholly (latency) or
	// half-written (stall): the server cannot have answered it.
	unsent atomic.Bool

	mu   sync.Mutex
	kept *keptAnswer
}

type faultKey struct{}

// keptAnswer is a whole answer the server sent that the client never got.
type keptAnswer struct {
	status int
	header http.Header
	body   []byte
}

// keep parses what the server sent so far; once it holds the whole
// answer to the request, it keeps it and reports true.
func (f *faultCall) keep(sent []byte) bool {
	var k *keptAnswer
	if f.h2 {
		k = parseH2Answer(sent)
	} else {
		k = parseH1Answer(sent, f.req)
	}
	if k == nil {
		return false
	}
	f.mu.Lock()
	f.kept = k
	f.mu.Unlock()
	return true
}

// answer returns the kept answer, or nil when the server sent none whole.
func (f *faultCall) answer() *keptAnswer {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.kept
}

// parseH1Answer reads one HTTP/1.1 response; nil while it is incomplete.
func parseH1Answer(sent []byte, req *http.Request) *keptAnswer {
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(sent)), req)
	if err != nil {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return nil
	}
	return &keptAnswer{status: resp.StatusCode, header: resp.Header, body: body}
}

// parseH2Answer reads the server's frames on a connection that carried
// one request (stream 1); nil until that stream has ended.
func parseH2Answer(sent []byte) *keptAnswer {
	fr := http2.NewFramer(io.Discard, bytes.NewReader(sent))
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.MaxHeaderListSize = MaxResponseHeader
	k := &keptAnswer{header: http.Header{}}
	var body bytes.Buffer
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return nil
		}
		if f.Header().StreamID != 1 {
			continue
		}
		switch f := f.(type) {
		case *http2.MetaHeadersFrame:
			if s, err := strconv.Atoi(f.PseudoValue("status")); err == nil && k.status == 0 {
				k.status = s
			}
			for _, hf := range f.RegularFields() {
				k.header.Add(hf.Name, hf.Value)
			}
			if f.StreamEnded() {
				return k.with(body.Bytes())
			}
		case *http2.DataFrame:
			if body.Len() < maxBody {
				body.Write(f.Data())
			}
			if f.StreamEnded() {
				return k.with(body.Bytes())
			}
		case *http2.RSTStreamFrame:
			return nil
		}
	}
}

func (k *keptAnswer) with(body []byte) *keptAnswer {
	k.body = bytes.Clone(body)
	return k
}
