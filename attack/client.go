package attack

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// ClientOptions say how the harness reaches the target: trust, identity and
// protocol. The zero value is plain NewTransport behaviour.
type ClientOptions struct {
	CACerts            []string // PEM files added to the system pool
	ClientCert         string   // PEM certificate for mTLS (with ClientKey)
	ClientKey          string
	ServerName         string // SNI and the name the certificate must carry
	InsecureSkipVerify bool
	HTTP2              bool // offer only h2 over TLS
	HTTP1              bool // never h2
}

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

// NewClientTransport is NewTransport with the TLS and protocol choices of o.
// Over TLS, ALPN picks the protocol unless o forces one.
func NewClientTransport(conns int, o ClientOptions) (*http.Transport, error) {
	tlsCfg, err := o.TLSConfig()
	if err != nil {
		return nil, err
	}
	t := NewTransport(conns)
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

// CheckTLS shakes hands with addr (host:port) the way the transport will,
// so that a certificate problem stops a run before any load with a
// message naming it.
func CheckTLS(addr string, t *http.Transport) error {
	cfg := t.TLSClientConfig.Clone()
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return err
		}
		cfg.ServerName = host
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return describeTLS(addr, err)
	}
	return conn.Close()
}

func describeTLS(addr string, err error) error {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("TLS to %s: certificate signed by an unknown authority (%s); give its CA with --ca-cert", addr, subject(unknown.Cert))
	case errors.As(err, &host):
		return fmt.Errorf("TLS to %s: certificate name mismatch: %s is not valid for %q; check --tls-server-name or --resolve", addr, subject(host.Certificate), host.Host)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Errorf("TLS to %s: certificate expired or not yet valid (%s, valid %s to %s)", addr, subject(invalid.Cert),
			invalid.Cert.NotBefore.UTC().Format(time.RFC3339), invalid.Cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return fmt.Errorf("TLS to %s: %w", addr, err)
}

func subject(c *x509.Certificate) string {
	if c == nil {
		return "certificate"
	}
	return fmt.Sprintf("certificate %q", c.Subject.String())
}
