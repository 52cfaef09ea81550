package hostile

import (
	"errors"
	"net"
	"os"
	"sync"
)

// trackingListener tells who ended each connection. net/http waits for
// the next request of a kept-alive connection with a read deadline of
// its IdleTimeout: a read that times out and is followed by Close is the
// server dropping an idle connection the client still held. A client
// that closes first makes the read end with EOF instead.
type trackingListener struct {
	net.Listener
	s *Server
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &trackedConn{Conn: c, s: l.s}, nil
}

type trackedConn struct {
	net.Conn
	s *Server

	mu       sync.Mutex
	timedOut bool
	closed   bool
}

func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	// Only the last read counts: net/http also ends its background read
	// during a handler with a deadline in the past, and the connection
	// goes on.
	c.mu.Lock()
	c.timedOut = err != nil && errors.Is(err, os.ErrDeadlineExceeded)
	c.mu.Unlock()
	return n, err
}

func (c *trackedConn) Close() error {
	c.mu.Lock()
	if c.timedOut && !c.closed {
		c.s.idleClosed.Add(1)
	}
	c.closed = true
	c.mu.Unlock()
	return c.Conn.Close()
}
