package attack

import (
	"bytes"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// faultConn is one faulted request's own connection, above TLS: it sees
// the request and the answer in clear, so it can hold, stall or cut them
// and still keep what the server really sent. Only that one request goes
// over it, so a fault never touches another request (on HTTP/2 a shared
// connection would carry other streams).
type faultConn struct {
	net.Conn          // TLS (or plain TCP) connection the HTTP client uses
	raw      net.Conn // the TCP connection under it, reset with RST
	call     *faultCall

	once     sync.Once
	closed   chan struct{}
	wrote    bool // the first write, where latency and stalls apply
	withheld []byte
}

func newFaultConn(conn, raw net.Conn, call *faultCall) *faultConn {
	return &faultConn{Conn: conn, raw: raw, call: call, closed: make(chan struct{})}
}

// Write delays (net-latency) or cuts in half and stalls (net-stall) the
// first bytes the client sends; later writes pass.
func (c *faultConn) Write(p []byte) (int, error) {
	if c.wrote {
		return c.Conn.Write(p)
	}
	c.wrote = true
	switch c.call.kind {
	case ChaosNetLatency:
		c.call.unsent.Store(true)
		if !c.sleep(c.call.delay) {
			return 0, net.ErrClosed
		}
		c.call.unsent.Store(false)
	case ChaosNetStall:
		half := len(p) / 2
		n, err := c.Conn.Write(p[:half])
		if err != nil {
			return n, err
		}
		c.call.unsent.Store(true)
		if !c.sleep(c.call.delay) {
			return n, net.ErrClosed
		}
		c.call.unsent.Store(false)
		m, err := c.Conn.Write(p[half:])
		return n + m, err
	}
	return c.Conn.Write(p)
}

// Read passes the server's bytes on, except under net-reset: then it
// withholds them until the answer to the request is complete, keeps it,
// resets the TCP connection and reports the reset, as a client whose
// response was lost in the network sees it.
func (c *faultConn) Read(p []byte) (int, error) {
	if c.call.kind != ChaosNetReset {
		return c.Conn.Read(p)
	}
	buf := make([]byte, 4096)
	for {
		n, err := c.Conn.Read(buf)
		c.withheld = append(c.withheld, buf[:n]...)
		if c.call.keep(c.withheld) {
			c.reset()
			return 0, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
		}
		if err != nil {
			return 0, err
		}
		if len(c.withheld) > maxBody+MaxResponseHeader {
			c.reset()
			return 0, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
		}
	}
}

// reset closes the TCP connection with RST rather than FIN.
func (c *faultConn) reset() {
	if tcp, ok := c.raw.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	c.Close()
}

// sleep waits d unless the connection is closed first (a timeout or a
// cancelled request); it reports whether the whole wait passed.
func (c *faultConn) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.closed:
		return false
	}
}

func (c *faultConn) Close() error {
	err := net.ErrClosed
	c.once.Do(func() {
		close(c.closed)
		err = c.Conn.Close()
		c.raw.Close()
	})
	return err
}

var _ = bytes.MinRead
