package authserver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"sync"
)

// Token formats.
//
//   - refresh token: 32 random bytes, base64url (43 chars). The server keeps
//     only SHA-256 of the raw bytes (tokenKey), never the text, except the
//     current head and, under grace=...,dup=same-child, each parent's child.
//   - access token: stateless, base64url of family(12) | exp unix ns(8) |
//     nonce(8) | HMAC-SHA256(accessKey, preceding 28 bytes)[:16]. It is valid
//     while unexpired and its family is alive, so revoking a family kills
//     every access token it ever issued without storing them.
//   - CSRF token: base64url(HMAC-SHA256(Secret, family id)), stable across
//     rotations of the family.
const (
	refreshRawLen  = 32
	refreshTextLen = 43
	famIDLen       = 12
	accessSignedLn = famIDLen + 8 + 8
	accessMACLen   = 16
	accessRawLen   = accessSignedLn + accessMACLen
	accessTextLen  = 59
)

var b64 = base64.RawURLEncoding.Strict()

type tokenKey [sha256.Size]byte

type famKey [famIDLen]byte

func (k famKey) String() string { return b64.EncodeToString(k[:]) }

func parseFamID(id string) (famKey, bool) {
	var k famKey
	if b64.EncodedLen(famIDLen) != len(id) {
		return k, false
	}
	n, err := b64.Decode(k[:], []byte(id))
	return k, err == nil && n == famIDLen
}

func newFamKey() famKey {
	var k famKey
	_, _ = rand.Read(k[:]) // crypto/rand.Read never fails (Go >= 1.24)
	return k
}

// newRefreshToken returns a fresh token's text and its storage key.
func newRefreshToken() (string, tokenKey) {
	var b [refreshRawLen]byte
	_, _ = rand.Read(b[:])
	return b64.EncodeToString(b[:]), sha256.Sum256(b[:])
}

// refreshKey maps a presented token text to its storage key; false for
// anything that is not a well-formed token.
func refreshKey(text string) (tokenKey, bool) {
	if len(text) != refreshTextLen {
		return tokenKey{}, false
	}
	var src [refreshTextLen]byte
	copy(src[:], text)
	var raw [refreshRawLen]byte
	n, err := b64.Decode(raw[:], src[:])
	if err != nil || n != refreshRawLen {
		return tokenKey{}, false
	}
	return sha256.Sum256(raw[:]), true
}

// macer computes HMAC-SHA256 with one key, reusing hash states.
type macer struct{ pool sync.Pool }

func newMacer(key []byte) *macer {
	m := &macer{}
	m.pool.New = func() any { return hmac.New(sha256.New, key) }
	return m
}

func (m *macer) sum(dst, msg []byte) []byte {
	h := m.pool.Get().(hash.Hash)
	h.Reset()
	h.Write(msg)
	dst = h.Sum(dst)
	m.pool.Put(h)
	return dst
}

func (s *Server) csrfToken(famID string) string {
	return b64.EncodeToString(s.csrfMAC.sum(nil, []byte(famID)))
}

func (s *Server) newAccessToken(fk famKey, exp int64) string {
	var b [accessRawLen + sha256.Size]byte
	copy(b[:famIDLen], fk[:])
	binary.BigEndian.PutUint64(b[famIDLen:], uint64(exp))
	_, _ = rand.Read(b[famIDLen+8 : accessSignedLn])
	s.accessMAC.sum(b[:accessSignedLn], b[:accessSignedLn])
	return b64.EncodeToString(b[:accessRawLen])
}

// parseAccessToken checks an access token's signature and returns its
// family and expiry (unix ns).
func (s *Server) parseAccessToken(text string) (famKey, int64, bool) {
	var fk famKey
	if len(text) != accessTextLen {
		return fk, 0, false
	}
	var src [accessTextLen]byte
	copy(src[:], text)
	var b [accessRawLen]byte
	if n, err := b64.Decode(b[:], src[:]); err != nil || n != accessRawLen {
		return fk, 0, false
	}
	var mac [sha256.Size]byte
	if !hmac.Equal(s.accessMAC.sum(mac[:0], b[:accessSignedLn])[:accessMACLen], b[accessSignedLn:]) {
		return fk, 0, false
	}
	copy(fk[:], b[:famIDLen])
	return fk, int64(binary.BigEndian.Uint64(b[famIDLen:])), true
}
