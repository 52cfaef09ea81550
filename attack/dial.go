package attack

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// dialer opens the harness's TCP connections: --connect-timeout bounds
// the connect and --resolve pins names to addresses. The transport, the
// start-up TLS check and the per-request fault connections all dial
// through it, so they reach the same backend.
type dialer struct {
	net.Dialer
	pinned map[string]string // host:port → addr:port
}

func newDialer(o ClientOptions) (*dialer, error) {
	if o.ConnectTimeout < 0 {
		return nil, fmt.Errorf("--connect-timeout %s: want a positive duration", o.ConnectTimeout)
	}
	d := &dialer{Dialer: net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}}
	if d.Timeout == 0 {
		d.Timeout = DefaultConnectTimeout
	}
	for _, r := range o.Resolve {
		from, to, err := ParseResolve(r)
		if err != nil {
			return nil, err
		}
		if d.pinned == nil {
			d.pinned = map[string]string{}
		}
		d.pinned[from] = to
	}
	return d, nil
}

// DialContext dials addr, or the address --resolve pinned it to.
func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if to, ok := d.pinned[addr]; ok {
		addr = to
	}
	return d.Dialer.DialContext(ctx, network, addr)
}

// ParseResolve reads one --resolve entry, `host:port:addr` as in curl
// (addr may be a bracketed IPv6 address), and returns the host:port it
// pins and the addr:port to dial instead.
func ParseResolve(s string) (from, to string, err error) {
	host, rest, ok1 := strings.Cut(s, ":")
	portText, addr, ok2 := strings.Cut(rest, ":")
	port, perr := strconv.Atoi(portText)
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if !ok1 || !ok2 || host == "" || perr != nil || port < 1 || port > 65535 || net.ParseIP(addr) == nil {
		return "", "", fmt.Errorf("--resolve %q: want host:port:address, e.g. auth.example.com:443:10.0.0.7", s)
	}
	return net.JoinHostPort(host, portText), net.JoinHostPort(addr, portText), nil
}

// proxyFunc maps --proxy to the transport's proxy choice. No proxy is the
// default: a load tool measures the target, and an environment proxy
// would silently put a shared middlebox (and its limits) in the numbers.
func proxyFunc(spec string) (func(*http.Request) (*url.URL, error), error) {
	switch spec {
	case "":
		return nil, nil
	case "env":
		return http.ProxyFromEnvironment, nil
	}
	u, err := url.Parse(spec)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
		return nil, fmt.Errorf("--proxy %q: want env or a URL like http://proxy:3128 (http, https or socks5)", redactURL(spec))
	}
	return http.ProxyURL(u), nil
}

// redactURL drops a proxy URL's password from error messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}
