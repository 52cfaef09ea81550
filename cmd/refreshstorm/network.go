package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/internal/scrub"
	"github.com/refreshstorm/refreshstorm/results"
)

// network is how run reaches the target: TLS trust and identity, the
// protocol, and extra headers. Its YAML keys sit at the top level of a
// scenario, twins of the flags.
type network struct {
	CACerts            []string `yaml:"ca_certs"`
	ClientCert         string   `yaml:"client_cert"`
	ClientKey          string   `yaml:"client_key"`
	TLSServerName      string   `yaml:"tls_server_name"`
	InsecureSkipVerify bool     `yaml:"insecure_skip_verify"`
	HTTP2              bool     `yaml:"http2"`
	HTTP1              bool     `yaml:"http1"`
	Headers            []string `yaml:"headers"`
	HeaderPublic       []string `yaml:"header_public"`

	Resolve         []string      `yaml:"resolve"`
	MaxConnsPerHost int           `yaml:"max_conns_per_host"`
	KeepAlive       bool          `yaml:"keepalive"`
	ConnectTimeout  time.Duration `yaml:"connect_timeout"`
	Proxy           string        `yaml:"proxy"`
}

// defaultNetwork is the network part of the defaults: connections are
// kept alive unless asked otherwise.
func defaultNetwork() network {
	return network{KeepAlive: true, ConnectTimeout: attack.DefaultConnectTimeout}
}

func (n network) options() attack.ClientOptions {
	return attack.ClientOptions{
		CACerts: n.CACerts, ClientCert: n.ClientCert, ClientKey: n.ClientKey,
		ServerName: n.TLSServerName, InsecureSkipVerify: n.InsecureSkipVerify,
		HTTP2: n.HTTP2, HTTP1: n.HTTP1,
		Resolve: n.Resolve, MaxConnsPerHost: n.MaxConnsPerHost, NoKeepAlive: !n.KeepAlive,
		ConnectTimeout: n.ConnectTimeout, Proxy: n.Proxy,
	}
}

func (n network) headers() (http.Header, error) {
	h := http.Header{}
	if err := n.checkHeaders(); err != nil {
		return nil, err
	}
	for _, s := range n.Headers {
		name, value, _ := attack.ParseHeader(s)
		if !n.isPublic(name) {
			// A value a target echoes back, or a Go error quotes, is then
			// removed before it reaches a file or a log.
			scrub.Register(value)
		}
		h.Add(name, value)
	}
	return h, nil
}

// checkHeaders validates every --header before anything is sent; an
// error names the header by its position, never by its text.
func (n network) checkHeaders() error {
	for i, s := range n.Headers {
		if _, _, err := attack.ParseHeader(s); err != nil {
			return usageError("--header #%d: %v", i+1, err)
		}
	}
	return nil
}

// isPublic says whether --header-public declared the header's value safe
// to show.
func (n network) isPublic(name string) bool {
	return slices.ContainsFunc(n.HeaderPublic, func(p string) bool { return http.CanonicalHeaderKey(p) == name })
}

// dial builds the wire every request goes through and, for an https
// target, checks the certificate before anything else happens.
func (n network) dial(conns int, target string, stderr io.Writer) (*attack.Wire, *http.Transport, error) {
	h, err := n.headers()
	if err != nil {
		return nil, nil, err
	}
	t, err := attack.NewClientTransport(conns, n.options())
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	if n.InsecureSkipVerify {
		fmt.Fprintln(stderr, "WARNING: --insecure-skip-verify: the target's certificate is NOT verified")
	}
	if n.Proxy != "" {
		// A proxy URL may carry a password.
		if u, err := url.Parse(n.Proxy); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok {
				scrub.Register(pw)
			}
		}
	}
	if u, err := url.Parse(target); err == nil && u.Scheme == "https" && !n.InsecureSkipVerify {
		if err := attack.CheckTLS(context.Background(), target, t); err != nil {
			return nil, nil, withCode(exitCannotRun, err)
		}
	}
	return &attack.Wire{Next: t, Headers: h}, t, nil
}

// echo is the network part of summary.json's config: header values are
// redacted unless declared public.
func (n network) echo(cfg map[string]any, wire *attack.Wire) {
	names := []string{}
	for _, s := range n.Headers {
		name, value, err := attack.ParseHeader(s)
		if err != nil {
			continue
		}
		if !n.isPublic(name) {
			value = results.Redacted
		}
		names = append(names, name+": "+value)
	}
	cfg["headers"] = names
	cfg["ca_certs"] = n.CACerts
	cfg["client_cert"] = n.ClientCert
	cfg["tls_server_name"] = n.TLSServerName
	cfg["insecure_skip_verify"] = n.InsecureSkipVerify
	cfg["http2"] = n.HTTP2
	cfg["http1"] = n.HTTP1
	cfg["resolve"] = n.Resolve
	cfg["max_conns_per_host"] = n.MaxConnsPerHost
	cfg["keepalive"] = n.KeepAlive
	cfg["connect_timeout"] = n.ConnectTimeout.String()
	cfg["proxy"] = proxyEcho(n.Proxy)
	if wire != nil {
		cfg["protocols"] = wire.Protocols()
	}
}

// proxyEcho is --proxy as the config echo shows it: without a password.
func proxyEcho(p string) string {
	if u, err := url.Parse(p); err == nil && u.User != nil {
		return u.Redacted()
	}
	return p
}
