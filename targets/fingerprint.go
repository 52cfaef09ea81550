package targets

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
)

// Fingerprinter turns secrets and identifiers into short salted digests that
// can be logged and exported: equal inputs give equal fingerprints within a
// run, and the salt (random per run, never written) stops dictionary lookups.
type Fingerprinter struct{ salt []byte }

// NewFingerprinter returns a fingerprinter with a fresh random salt.
func NewFingerprinter() *Fingerprinter {
	salt := make([]byte, 32)
	_, _ = rand.Read(salt)
	return &Fingerprinter{salt: salt}
}

// Of returns a 12-hex-digit fingerprint of s.
func (f *Fingerprinter) Of(s string) string {
	m := hmac.New(sha256.New, f.salt)
	m.Write([]byte(s))
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0])[:6])
}
