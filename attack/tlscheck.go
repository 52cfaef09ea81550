package attack

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CheckTLS sends one HEAD request for target through a copy of t, so
// that it dials, resolves, proxies and shakes hands exactly as the load
// will, and turns a certificate problem into an error naming it before
// any load. Any HTTP answer passes: only the connection is checked. A
// request rather than a bare handshake also catches the TLS 1.3 refusal of
// a missing client certificate, which comes after the handshake. It asks
// for HTTP/1.1 first, whose errors keep the TLS alert (HTTP/2's do not),
// and only for a server that will not speak it tries t's own protocols.
func CheckTLS(ctx context.Context, target string, t *http.Transport) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	h1 := t.Clone()
	h1.Protocols = new(http.Protocols)
	h1.Protocols.SetHTTP1(true)
	if h1.TLSClientConfig != nil {
		// Clone has already offered h2 in ALPN; offer HTTP/1.1 only.
		h1.TLSClientConfig.NextProtos = []string{"http/1.1"}
	}
	err = headOnce(ctx, target, h1)
	if err == nil {
		return nil
	}
	if named := describeTLS(u.Host, err); !errors.Is(named, err) || t.Protocols == nil || !t.Protocols.HTTP2() {
		return named
	}
	return describeErr(u.Host, headOnce(ctx, target, t.Clone()))
}

func headOnce(ctx context.Context, target string, t *http.Transport) error {
	defer t.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, target, nil)
	if err != nil {
		return err
	}
	resp, err := t.RoundTrip(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func describeErr(addr string, err error) error {
	if err == nil {
		return nil
	}
	return describeTLS(addr, err)
}

// clientCertRefused reports a TLS alert from the server of the kind it
// sends when it wanted a client certificate and got none (or a bad one).
func clientCertRefused(err error) (string, bool) {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" {
		return "", false
	}
	msg := op.Err.Error()
	for _, name := range []string{"certificate required", "bad certificate", "unknown certificate authority", "handshake failure"} {
		if strings.Contains(msg, name) {
			return msg, true
		}
	}
	return "", false
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
	if alert, ok := clientCertRefused(err); ok {
		return fmt.Errorf("TLS to %s: the server refused the handshake (%s): it requires a client certificate it trusts; give --client-cert and --client-key", addr, alert)
	}
	return fmt.Errorf("TLS to %s: %w", addr, err)
}

func subject(c *x509.Certificate) string {
	if c == nil {
		return "certificate"
	}
	return fmt.Sprintf("certificate %q", c.Subject.String())
}
