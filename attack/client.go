package attack

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"
)

// ClientOptions say how the harness reaches the target: trust, identity,
// protocol and addressing. The zero value is plain NewTransport behaviour.
type ClientOptions struct {
	CACerts            []string // PEM files added to the system pool
	ClientCert         string   // PEM certificate for mTLS (with ClientKey)
	ClientKey          string
	ServerName         string // SNI and the name the certificate must carry
	InsecureSkipVerify bool
	HTTP2              bool // offer only h2 over TLS
	HTTP1              bool // never h2

	// Resolve pins host:port to an address (curl's --resolve); the URL's
	// host stays the Host header and the TLS server name.
	Resolve []string
	// MaxConnsPerHost bounds connections to the target; 0 = no bound.
	MaxConnsPerHost int
	// NoKeepAlive opens a fresh connection for every request.
	NoKeepAlive bool
	// ConnectTimeout bounds the TCP connect; 0 = DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// Proxy is "" (none), "env" (HTTP_PROXY and friends) or a proxy URL.
	Proxy string
}

// DefaultConnectTimeout bounds a TCP connect when --connect-timeout is unset.
const DefaultConnectTimeout = 5 * time.Second

// TLSConfig builds the client TLS configuration; errors name the file.
func (o ClientOptions) TLSConfig() (*tls.Config, error) {
	if o.HTTP1 && o.HTTP2 {
		return nil, errors.New("--http1 and --http2 exclude each other")
	}
	cfg := &tls.Config{ServerName: o.ServerName, InsecureSkipVerify: o.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if len(o.CACerts) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		for _, path := range o.CACerts {
			pem, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("--ca-cert: %w", err)
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("--ca-cert %s: no PEM certificate in the file", path)
			}
		}
		cfg.RootCAs = pool
	}
	if (o.ClientCert == "") != (o.ClientKey == "") {
		return nil, errors.New("--client-cert and --client-key go together")
	}
	if o.ClientCert != "" {
		pair, err := tls.LoadX509KeyPair(o.ClientCert, o.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("--client-cert/--client-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// NewClientTransport is NewTransport with the TLS, protocol and
// addressing choices of o. Over TLS, ALPN picks the protocol unless o
// forces one.
func NewClientTransport(conns int, o ClientOptions) (*http.Transport, error) {
	tlsCfg, err := o.TLSConfig()
	if err != nil {
		return nil, err
	}
	dial, err := newDialer(o)
	if err != nil {
		return nil, err
	}
	proxy, err := proxyFunc(o.Proxy)
	if err != nil {
		return nil, err
	}
	if o.MaxConnsPerHost < 0 {
		return nil, fmt.Errorf("--max-conns-per-host %d: want 0 (no bound) or more", o.MaxConnsPerHost)
	}
	t := NewTransport(conns)
	t.DialContext = dial.DialContext
	t.Proxy = proxy
	t.MaxConnsPerHost = o.MaxConnsPerHost
	t.DisableKeepAlives = o.NoKeepAlive
	t.TLSClientConfig = tlsCfg
	t.TLSHandshakeTimeout = 5 * time.Second
	var p http.Protocols
	switch {
	case o.HTTP1:
		p.SetHTTP1(true)
	case o.HTTP2:
		p.SetHTTP2(true)
	default:
		p.SetHTTP1(true)
		p.SetHTTP2(true)
	}
	t.Protocols = &p
	return t, nil
}
