package authserver

import (
	"sync"
	"sync/atomic"
)

// Memory: a token costs ~150 bytes (record, map entry, chain slot). A family
// keeps every live token, and its rotated tokens only while they are younger
// than the retention window (2 × max(Grace, 1 min)) — but always its last
// minAncestors rotated tokens, so a replay of a recent ancestor is still
// detected as reuse. Pruning is amortised: a family's chain is compacted when
// it has doubled since the last compaction. Families that are expired, or
// revoked for longer than the retention window (never under DefectZombie),
// are dropped by a background sweep; their tokens then read as unknown, which
// gets the same 401 invalid_or_expired_session as a revoked family.
const (
	minAncestors   = 8
	minCompactAt   = 32
	minRetentionNs = 60e9
)

// token is one refresh token. Fields other than fam and key are guarded by
// fam.mu.
type token struct {
	fam       *family
	key       tokenKey
	gen       uint32 // 1 for the sign-in token, then per family mint order
	parentGen uint32 // 0 for the sign-in token
	rotated   bool
	rotatedAt int64  // unix ns of the first rotation
	mintedAt  int64  // unix ns it was minted
	childRaw  string // the child's text, kept only for dup=same-child
	// seenRotatedAt mirrors rotatedAt for the lock-free pre-check of
	// DefectRevokeOnConcurrentOnly (0: not rotated yet).
	seenRotatedAt atomic.Int64
}

// family is one session family (one sign-in and its rotations).
type family struct {
	key        famKey
	id         string
	csrf       string
	user       *user
	refreshExp int64 // unix ns, absolute

	// inflight counts refreshes of the family being handled right now:
	// more than one means requests race (DefectRareFork).
	inflight atomic.Int32

	mu        sync.Mutex
	revoked   bool
	revokedAt int64
	active    bool // counted in Stats.ActiveFamilies
	purged    bool
	head      *token
	headRaw   string
	gen       uint32
	chain     []*token // tokens in mint order: every live one, recent rotated ones
	compactAt int
}

type user struct {
	id       string
	password string
	mu       sync.Mutex
	fams     []*family // oldest first; pruned of dead families at sign-in
}

const shardCount = 64

type shard[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
	_  [40]byte // keep shards on separate cache lines
}

// shardKey is a random-bytes key whose first byte picks its shard.
type shardKey interface {
	comparable
	shard() int
}

func (k tokenKey) shard() int { return int(k[0]) % shardCount }
func (k famKey) shard() int   { return int(k[0]) % shardCount }

// shardMap is a map split over shardCount locks.
type shardMap[K shardKey, V any] struct {
	shards [shardCount]shard[K, V]
}

func newShardMap[K shardKey, V any]() *shardMap[K, V] {
	m := &shardMap[K, V]{}
	for i := range m.shards {
		m.shards[i].m = make(map[K]V)
	}
	return m
}

func (m *shardMap[K, V]) get(k K) (V, bool) {
	sh := &m.shards[k.shard()]
	sh.mu.RLock()
	v, ok := sh.m[k]
	sh.mu.RUnlock()
	return v, ok
}

func (m *shardMap[K, V]) put(k K, v V) {
	sh := &m.shards[k.shard()]
	sh.mu.Lock()
	sh.m[k] = v
	sh.mu.Unlock()
}

func (m *shardMap[K, V]) del(k K) {
	sh := &m.shards[k.shard()]
	sh.mu.Lock()
	delete(sh.m, k)
	sh.mu.Unlock()
}

// values snapshots shard i.
func (m *shardMap[K, V]) values(i int) []V {
	sh := &m.shards[i]
	sh.mu.RLock()
	out := make([]V, 0, len(sh.m))
	for _, v := range sh.m {
		out = append(out, v)
	}
	sh.mu.RUnlock()
	return out
}

// revokedLocked reports whether the family's revocation is in force.
func (s *Server) revokedLocked(f *family, now int64) bool {
	if !f.revoked || now < f.revokedAt {
		return false // not revoked, or revoke-lag has not run out yet
	}
	return s.zombieAfter == 0 || now-f.revokedAt < s.zombieAfter
}

// deadLocked reports whether no token of the family may be used.
func (s *Server) deadLocked(f *family, now int64) bool {
	return f.purged || now >= f.refreshExp || s.revokedLocked(f, now)
}

func (s *Server) alive(f *family, now int64) bool {
	f.mu.Lock()
	dead := s.deadLocked(f, now)
	f.mu.Unlock()
	return !dead
}

// revokeAtLocked revokes f from at on (now under no lag); a revocation
// already pending or in force is not postponed.
func (s *Server) revokeAtLocked(f *family, now, at int64) {
	if at <= now {
		s.revokeLocked(f, now)
		return
	}
	if f.revoked && f.revokedAt <= at {
		return
	}
	s.st.familiesRevoked.Add(1)
	f.revoked, f.revokedAt = true, at
	if f.active {
		f.active = false
		s.st.activeFamilies.Add(-1)
	}
}

func (s *Server) revokeLocked(f *family, now int64) {
	if !s.revokedLocked(f, now) {
		s.st.familiesRevoked.Add(1)
	}
	f.revoked, f.revokedAt = true, now
	if f.active {
		f.active = false
		s.st.activeFamilies.Add(-1)
	}
}

// mintLocked mints a child of parent (nil for the sign-in token), makes it
// the family's head and returns its text.
func (s *Server) mintLocked(f *family, parent *token, now int64) string {
	raw, key := newRefreshToken()
	f.gen++
	t := &token{fam: f, key: key, gen: f.gen, mintedAt: now}
	if parent != nil {
		t.parentGen = parent.gen
	}
	s.tokens.put(key, t)
	f.head, f.headRaw = t, raw
	f.chain = append(f.chain, t)
	if len(f.chain) >= f.compactAt {
		s.compactLocked(f, now)
	}
	return raw
}

// rotateLocked marks t rotated and mints its child.
func (s *Server) rotateLocked(f *family, t *token, now int64) string {
	raw := s.mintLocked(f, t, now)
	if !t.rotated {
		t.rotated, t.rotatedAt = true, now
		t.seenRotatedAt.Store(now)
	}
	if s.keepChildRaw {
		t.childRaw = raw
	}
	s.st.rotations.Add(1)
	return raw
}

// compactLocked drops the family's oldest rotated tokens that are past the
// retention window, keeping at least minAncestors rotated tokens.
func (s *Server) compactLocked(f *family, now int64) {
	cutoff := now - s.retention
	rotated := 0
	for _, t := range f.chain {
		if t.rotated {
			rotated++
		}
	}
	kept := f.chain[:0]
	for _, t := range f.chain {
		if t.rotated && rotated > minAncestors && t.rotatedAt < cutoff {
			s.tokens.del(t.key)
			rotated--
			continue
		}
		kept = append(kept, t)
	}
	clear(f.chain[len(kept):])
	if cap(kept) > 4*len(kept)+minCompactAt {
		kept = append([]*token(nil), kept...)
	}
	f.chain = kept
	f.compactAt = max(2*len(kept), minCompactAt)
}

// maybeSweep starts a background sweep of dead families at most once per
// half retention window.
func (s *Server) maybeSweep(now int64) {
	last := s.lastSweep.Load()
	if now-last < s.retention/2 || !s.lastSweep.CompareAndSwap(last, now) {
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.sweep(now)
	}()
}

// sweep drops expired families and families revoked for longer than the
// retention window, with all their tokens.
func (s *Server) sweep(now int64) {
	for i := range shardCount {
		for _, f := range s.fams.values(i) {
			f.mu.Lock()
			drop := now >= f.refreshExp ||
				(f.revoked && s.zombieAfter == 0 && now-f.revokedAt >= s.retention)
			if drop {
				for _, t := range f.chain {
					s.tokens.del(t.key)
				}
				f.chain, f.head, f.headRaw, f.purged = nil, nil, "", true
				if f.active {
					f.active = false
					s.st.activeFamilies.Add(-1)
				}
			}
			f.mu.Unlock()
			if drop {
				s.fams.del(f.key)
			}
		}
	}
}
