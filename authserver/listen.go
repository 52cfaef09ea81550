package authserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"
)

// Listen is how a Running server meets the network: optional TLS and an
// optional header every request must carry (an API gateway's key).
type Listen struct {
	TLS *tls.Config
	// RequireName/RequireValue: requests without the header get 401
	// {"error":"missing_api_key"}, with a wrong value 403
	// {"error":"invalid_api_key"}.
	RequireName  string
	RequireValue string
}

func (l Listen) scheme() string {
	if l.TLS != nil {
		return "https"
	}
	return "http"
}

func (l Listen) wrap(next http.Handler) http.Handler {
	if l.RequireName == "" {
		return next
	}
	want := []byte(l.RequireValue)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, present := r.Header[http.CanonicalHeaderKey(l.RequireName)]
		switch {
		case !present:
			writeError(w, http.StatusUnauthorized, "missing_api_key")
		case subtle.ConstantTimeCompare([]byte(got[0]), want) != 1:
			writeError(w, http.StatusForbidden, "invalid_api_key")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// LoadTLS reads a PEM certificate and key for serving.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("authserver: TLS key pair: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// SelfSignedTLS makes a throwaway CA and a server certificate it signs for
// localhost and 127.0.0.1 (valid for a day), and writes the CA to caFile
// so clients can trust it with --ca-cert.
func SelfSignedTLS(caFile string) (*tls.Config, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "refreshstorm self-signed CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		return nil, fmt.Errorf("authserver: write CA: %w", err)
	}
	pair := tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey, Leaf: nil}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}
