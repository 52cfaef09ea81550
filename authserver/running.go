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
	return StartWith(addr, cfg, Listen{})
}

// StartWith is Start with transport options (TLS, a required header).
func StartWith(addr string, cfg Config, opt Listen) (*Running, error) {
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
		URL:    opt.scheme() + "://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)),
		Server: s,
		hs: &http.Server{
			Handler:           opt.wrap(s),
			TLSConfig:         opt.TLS,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
		done: make(chan error, 1),
	}
	go func() {
		if opt.TLS != nil {
			r.done <- r.hs.ServeTLS(ln, "", "")
			return
		}
		r.done <- r.hs.Serve(ln)
	}()
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
