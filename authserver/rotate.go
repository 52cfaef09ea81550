package authserver

import (
	"runtime"
	"time"
)

// nonAtomicGap is how long DefectNonAtomic leaves between reading a token's
// state and writing its rotation.
const nonAtomicGap = time.Millisecond

// precheckGap is the round trip DefectRevokeOnConcurrentOnly leaves between
// its lock-free pre-check and the locked rotation, as a database query
// before a locking transaction would.
const precheckGap = 2 * time.Millisecond

// prechecked is DefectRevokeOnConcurrentOnly's first look at a token,
// taken without the family's lock: a token seen rotated outside the grace
// window is rejected as reuse there, without revoking anything. Only
// requests that pass it, such as a duplicate racing the rotation of the
// same token, reach the locked path, whose reuse branch revokes.
func (s *Server) prechecked(t *token, now int64) bool {
	at := t.seenRotatedAt.Load()
	if at == 0 || (s.pol.Grace > 0 && now-at <= int64(s.pol.Grace)) {
		time.Sleep(precheckGap)
		return false
	}
	s.st.reuse.Add(1)
	return true
}

type outcome uint8

const (
	outRotated outcome = iota
	outGraceSameChild
	outGraceSibling
	outGraceHead
	outDead
	outReuse
	// outKept: the head is handed back unrotated (rotate=after-interval
	// inside the interval, rotate=never).
	outKept
)

// rareForkEvery shapes DefectRareFork: one in rareForkEvery duplicates
// that race another refresh of their family is rotated again.
const rareForkEvery = 25

// rareForkCommit is how long a rotation under DefectRareFork stays in
// flight after it was decided, as a server's write to its database would:
// a duplicate arriving meanwhile races it. Without it the race window is
// a few microseconds, and whether a burst ever hits it depends on how busy
// the client's machine is.
const rareForkCommit = 5 * time.Millisecond

// commitPause holds an accepted rotation in flight for rareForkCommit
// under DefectRareFork.
func (s *Server) commitPause(out outcome) {
	if out == outRotated && s.has(DefectRareFork) {
		time.Sleep(rareForkCommit)
	}
}

// refresh applies the policy to a presented token under its family's lock
// and returns the outcome and, when accepted, the refresh token to hand out.
func (s *Server) refresh(t *token, now int64) (outcome, string) {
	f := t.fam
	fellThrough := s.lockFamily(f)
	defer f.mu.Unlock()
	if s.deadLocked(f, now) {
		return outDead, ""
	}
	if fellThrough {
		return outRotated, s.rotateLocked(f, t, now)
	}
	if !t.rotated {
		if t == f.head && s.keeps(t, now) {
			return outKept, f.headRaw
		}
		if s.has(DefectNonAtomic) {
			// The defect: the "is it the head?" check and the rotation are
			// two critical sections, so concurrent callers all pass the check.
			f.mu.Unlock()
			runtime.Gosched()
			time.Sleep(nonAtomicGap)
			f.mu.Lock()
		}
		return outRotated, s.rotateLocked(f, t, now)
	}
	if s.inGraceLocked(f, t, now) {
		s.st.grace.Add(1)
		switch s.pol.Dup {
		case DupSibling:
			s.st.rotations.Add(1)
			return outGraceSibling, s.mintLocked(f, t, now)
		case DupCurrentHead:
			return outGraceHead, f.headRaw
		default:
			return outGraceSameChild, t.childRaw
		}
	}
	if s.has(DefectAncestorFork) && now-t.rotatedAt <= int64(s.pol.Grace) {
		// The defect: an older ancestor inside the window starts a second chain.
		s.st.rotations.Add(1)
		return outRotated, s.mintLocked(f, t, now)
	}
	if s.pol.Parent == ParentAnyAge && f.head != nil && f.head.parentGen == t.gen {
		s.st.grace.Add(1)
		return outGraceHead, f.headRaw
	}
	if s.has(DefectAcceptRotated) {
		return outRotated, s.rotateLocked(f, t, now)
	}
	if s.has(DefectRareFork) && f.inflight.Load() > 1 && s.rareForks.Add(1)%rareForkEvery == 1 {
		s.st.rotations.Add(1)
		return outRotated, s.mintLocked(f, t, now)
	}
	s.st.reuse.Add(1)
	if s.pol.RevokeOnReuse && !s.has(DefectReuseNoRevoke) {
		s.revokeAtLocked(f, now, now+int64(s.pol.RevokeLag))
	}
	return outReuse, ""
}

// keeps reports whether a refresh of the head hands it back unrotated.
func (s *Server) keeps(head *token, now int64) bool {
	switch s.pol.Rotate {
	case RotateNever:
		return true
	case RotateAfterInterval:
		return now-head.mintedAt < int64(s.pol.Grace)
	}
	return false
}

// inGraceLocked reports whether rotated token t may be presented again: the
// grace window is open and t is the immediate parent of the family's head
// (any older token under DefectGraceAnyAncestor).
func (s *Server) inGraceLocked(f *family, t *token, now int64) bool {
	if s.pol.Grace <= 0 || f.head == nil || now-t.rotatedAt > int64(s.pol.Grace) {
		return false
	}
	if s.has(DefectGraceAnyAncestor) {
		return t.gen < f.head.gen
	}
	return f.head.parentGen == t.gen
}

// csrfConsume is DefectCSRFConsumes: a request rejected for CSRF still
// rotates a live token, and the child is thrown away.
func (s *Server) csrfConsume(t *token, now int64) {
	f := t.fam
	f.mu.Lock()
	if !s.deadLocked(f, now) && !t.rotated {
		s.rotateLocked(f, t, now)
	}
	f.mu.Unlock()
}
