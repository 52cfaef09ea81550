package targets

import (
	"context"
	"errors"
	"fmt"
	"github.com/refreshstorm/refreshstorm/internal/scrub"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// BootstrapOptions shape the sign-in phase.
type BootstrapOptions struct {
	Concurrency int                   // parallel sign-ins; default 32
	Attempts    int                   // tries per session on 429/5xx/transport errors; default 8
	Progress    func(done, total int) // called after each sign-in, from any goroutine
	Now         func() time.Time      // clock; time.Now if nil
	// MaxRetryAfter is the longest Retry-After the harness waits; a
	// target asking for more ends the sign-in at once. Default 30s.
	MaxRetryAfter time.Duration
	// Timeout bounds the whole of SignInAll; 0 means none.
	Timeout time.Duration
}

// ErrBootstrapTimeout is the cause when SignInAll ran out of Timeout.
var ErrBootstrapTimeout = errors.New("bootstrap deadline reached")

// RetryAfterError is a throttling answer asking for a longer wait than
// the harness allows.
type RetryAfterError struct {
	Step       string
	RetryAfter time.Duration
	Max        time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%s: target asks to retry after %s, more than --max-retry-after %s", e.Step, e.RetryAfter, e.Max)
}

// SignInAll signs every session in, spreading them over creds so that no
// user holds more than familiesPerUser families. Bad credentials stop the
// bootstrap at once; throttling is retried honouring Retry-After.
func (p *Pool) SignInAll(ctx context.Context, c *http.Client, creds []Credential, familiesPerUser int, o BootstrapOptions) error {
	if need := UsersNeeded(len(p.sessions), familiesPerUser); len(creds) < need {
		return fmt.Errorf("%d sessions at %d families per user need %d users; the credentials have %d", len(p.sessions), familiesPerUser, need, len(creds))
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	for _, c := range creds {
		scrub.Register(c.Password)
	}
	if o.Timeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeoutCause(ctx, o.Timeout, ErrBootstrapTimeout)
		defer stop()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// One user's families sign in one after another: a server that caps
	// families per user evicts the oldest on each sign-in, and a family
	// evicted between its sign-in and its CSRF fetch would fail the whole
	// bootstrap instead of showing up, once the load runs, as an eviction
	// (see attack's family-cap spiral). It also makes the order of one
	// user's sign-ins the order of their completion.
	userLocks := make([]sync.Mutex, len(creds))
	var (
		next    atomic.Int64
		done    atomic.Int64
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for w := 0; w < o.Concurrency && w < len(p.sessions); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(p.sessions) || ctx.Err() != nil {
					return
				}
				s := p.sessions[i]
				s.Cred = i % len(creds)
				userLocks[s.Cred].Lock()
				err := p.signIn(ctx, c, s, creds[s.Cred], o)
				userLocks[s.Cred].Unlock()
				if err != nil {
					errOnce.Do(func() { first = err; cancel() })
					return
				}
				if o.Progress != nil {
					o.Progress(int(done.Add(1)), len(p.sessions))
				}
			}
		}()
	}
	wg.Wait()
	if errors.Is(context.Cause(ctx), ErrBootstrapTimeout) {
		return fmt.Errorf("%d of %d sessions signed in within --bootstrap-timeout %s: %w", done.Load(), len(p.sessions), o.Timeout, ErrBootstrapTimeout)
	}
	if first != nil {
		return first
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, s := range p.sessions {
		p.idle <- s
	}
	return nil
}

// ReSignIn replaces a session's family with a fresh sign-in of the same
// user. The caller holds the lease.
func (p *Pool) ReSignIn(ctx context.Context, c *http.Client, s *Session, cred Credential, o BootstrapOptions) error {
	return p.signIn(ctx, c, s, cred, o)
}

func (p *Pool) signIn(ctx context.Context, c *http.Client, s *Session, cred Credential, o BootstrapOptions) error {
	if o.Attempts <= 0 {
		o.Attempts = 8
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	backoff := 100 * time.Millisecond
	var err error
	for attempt := 1; attempt <= o.Attempts; attempt++ {
		var f Family
		f, err = p.profile.SignIn(ctx, c, cred)
		if err == nil {
			s.Adopt(f, p.fp.Of(f.ID), now())
			return nil
		}
		wait := backoff
		var se *StatusError
		var pe *ProtocolError
		switch {
		case errors.As(err, &pe):
			return fmt.Errorf("user %q: %w", cred.Identifier, err) // a broken protocol stays broken
		case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
			if se.RetryAfter > o.MaxRetryAfter {
				return fmt.Errorf("user %q: %w", cred.Identifier, &RetryAfterError{Step: se.Step, RetryAfter: se.RetryAfter, Max: o.MaxRetryAfter})
			}
			if se.RetryAfter > 0 {
				wait = se.RetryAfter
			}
		case errors.As(err, &se) && se.Status >= 500:
		case errors.As(err, &se):
			return fmt.Errorf("user %q: %w", cred.Identifier, err) // 4xx: retrying will not help
		case ctx.Err() != nil:
			return ctx.Err()
		}
		if attempt == o.Attempts {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
	return fmt.Errorf("user %q: %d attempts: %w", cred.Identifier, o.Attempts, err)
}
