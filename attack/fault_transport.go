package attack

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"

	"golang.org/x/net/http2"
)

// faultTransport sends each faulted request over a connection of its
// own, dialled, resolved and secured as the run's transport does, with a
// faultConn above TLS. Nothing of it runs for requests without net chaos.
type faultTransport struct {
	dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	tls        *tls.Config
	nextProtos []string
	h2         http2.Transport
}

var errNoFaultPath = errors.New("net-* chaos needs the run's own transport (an *http.Transport)")

// newFaultTransport copies how t connects. A proxy cannot be combined
// with net chaos: the fault connection must be the one to the target.
func newFaultTransport(rt http.RoundTripper) (*faultTransport, error) {
	t, ok := unwrapTransport(rt)
	if !ok {
		return nil, errNoFaultPath
	}
	if t.Proxy != nil {
		return nil, errors.New("net-* chaos cannot be combined with --proxy: the faulted connection goes to the target itself")
	}
	f := &faultTransport{dial: t.DialContext, tls: t.TLSClientConfig, nextProtos: []string{"http/1.1"}}
	if f.dial == nil {
		f.dial = (&net.Dialer{Timeout: DefaultConnectTimeout}).DialContext
	}
	if f.tls == nil {
		f.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if p := t.Protocols; p != nil && p.HTTP2() {
		f.nextProtos = []string{"h2"}
		if p.HTTP1() {
			f.nextProtos = append(f.nextProtos, "http/1.1")
		}
	}
	return f, nil
}

func unwrapTransport(rt http.RoundTripper) (*http.Transport, bool) {
	for range 4 {
		switch v := rt.(type) {
		case *http.Transport:
			return v, true
		case *Wire:
			rt = v.Next
		default:
			return nil, false
		}
	}
	return nil, false
}

// RoundTrip sends req on a fresh faulted connection; req's context holds
// its *faultCall.
func (f *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	call, ok := req.Context().Value(faultKey{}).(*faultCall)
	if !ok {
		return nil, errors.New("attack: faulted request without its fault")
	}
	ctx := req.Context()
	addr := req.URL.Host
	if req.URL.Port() == "" {
		port := "80"
		if req.URL.Scheme == "https" {
			port = "443"
		}
		addr = net.JoinHostPort(req.URL.Hostname(), port)
	}
	raw, err := f.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	conn := raw
	if req.URL.Scheme == "https" {
		cfg := f.tls.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = req.URL.Hostname()
		}
		cfg.NextProtos = f.nextProtos
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		conn = tc
		call.h2 = tc.ConnectionState().NegotiatedProtocol == "h2"
	}
	call.req = req
	fc := newFaultConn(conn, raw, call)
	stop := context.AfterFunc(ctx, func() { fc.Close() })
	closeAll := func() { stop(); fc.Close() }
	if call.h2 {
		cc, err := f.h2.NewClientConn(fc)
		if err != nil {
			closeAll()
			return nil, err
		}
		resp, err := cc.RoundTrip(req)
		if err != nil {
			cc.Close()
			closeAll()
			return nil, err
		}
		resp.Body = &closingBody{ReadCloser: resp.Body, close: func() { cc.Close(); closeAll() }}
		return resp, nil
	}
	if err := req.Write(fc); err != nil {
		closeAll()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(fc), req)
	if err != nil {
		closeAll()
		return nil, err
	}
	resp.Body = &closingBody{ReadCloser: resp.Body, close: closeAll}
	return resp, nil
}

// closingBody closes the request's own connection with its body.
type closingBody struct {
	io.ReadCloser
	once  sync.Once
	close func()
}

func (b *closingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.close)
	return err
}
