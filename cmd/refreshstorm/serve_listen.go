package main

import (
	"github.com/spf13/pflag"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/authserver"
)

// serveListen holds serve's TLS and required-header flags.
type serveListen struct {
	cert, key, selfSigned, requireHeader string
}

func (l *serveListen) flags(f *pflag.FlagSet) {
	f.StringVar(&l.cert, "tls-cert", "", "serve HTTPS with this PEM certificate (with --tls-key)")
	f.StringVar(&l.key, "tls-key", "", "PEM private key of --tls-cert")
	f.StringVar(&l.selfSigned, "tls-self-signed", "", "serve HTTPS with a fresh self-signed CA written to this file (trust it with run --ca-cert)")
	f.StringVar(&l.requireHeader, "require-header", "", "'Name: value' every request must carry (401 missing_api_key, 403 invalid_api_key)")
}

func (l *serveListen) build() (authserver.Listen, error) {
	var out authserver.Listen
	var err error
	switch {
	case l.selfSigned != "" && (l.cert != "" || l.key != ""):
		return out, usageError("--tls-self-signed excludes --tls-cert/--tls-key")
	case (l.cert == "") != (l.key == ""):
		return out, usageError("--tls-cert and --tls-key go together")
	case l.cert != "":
		if out.TLS, err = authserver.LoadTLS(l.cert, l.key); err != nil {
			return out, usageError("--tls-cert: %v", err)
		}
	case l.selfSigned != "":
		if out.TLS, err = authserver.SelfSignedTLS(l.selfSigned); err != nil {
			return out, withCode(exitCannotRun, err)
		}
	}
	if l.requireHeader != "" {
		if out.RequireName, out.RequireValue, err = attack.ParseHeader(l.requireHeader); err != nil {
			return out, usageError("--require-header: %v", err)
		}
	}
	return out, nil
}
