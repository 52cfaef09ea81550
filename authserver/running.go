package authserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// shutdownTimeout bounds Running.Close's graceful shutdown.
const shutdownTimeout = 3 * time.Second

// Running is a Server listening on a TCP address.
type Running struct {
	URL    string // http://host:port, loopback when listening on all addresses
	Server *Server

	hs        *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// Start builds a Server for cfg and serves it on addr (e.g. "127.0.0.1:0")
// in the background.
func Start(addr string, cfg Config) (*Running, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("authserver: listen: %w", err)
	}
	tcp := ln.Addr().(*net.TCPAddr)
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	r := &Running{
		URL:    "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)),
		Server: s,
		hs: &http.Server{
			Handler:           s,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
		done: make(chan error, 1),
	}
	go func() { r.done <- r.hs.Serve(ln) }()
	return r, nil
}

// Close shuts the server down gracefully, forcing connections closed after
// a few seconds. It is safe to call more than once.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		err := r.hs.Shutdown(ctx)
		if err != nil {
			_ = r.hs.Close()
		}
		if serveErr := <-r.done; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
		r.Server.bg.Wait()
		r.closeErr = err
	})
	return r.closeErr
}
