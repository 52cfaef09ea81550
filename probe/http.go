package probe

import (
	"context"
	"errors"
	"fmt"
	"github.com/refreshstorm/refreshstorm/internal/wait"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/refreshstorm/refreshstorm/targets"
)

// maxBody bounds how much of a response discovery reads.
const maxBody = 64 << 10

// Sign-in retries on 429 and 5xx.
const (
	signInAttempts = 4
	maxRetryWait   = 10 * time.Second
)

// family is one experiment's family, in memory only.
type family struct {
	csrf   string
	first  string // T0, the sign-in refresh token
	head   string // newest refresh token known
	access string // newest access token known
	cred   string // identifier, for error messages
	// headSince is when head was handed out, for servers that keep a
	// token for an interval before rotating it.
	headSince time.Time
}

// adopt makes an accepted reply's tokens the family's newest.
func (f *family) adopt(r answer) {
	if r.refresh != "" && r.refresh != f.head {
		f.head, f.headSince = r.refresh, time.Now()
	}
	if r.access != "" {
		f.access = r.access
	}
}

// answer is one refresh answer.
type answer struct {
	status     int
	code       string
	refresh    string
	access     string
	cookies    []string // raw Set-Cookie lines
	retryAfter time.Duration
	// kept: a 2xx that issued no new refresh token; refresh then holds the
	// presented one.
	kept bool
}

// accepted: a 2xx that handed out a new refresh token.
func (r answer) accepted() bool { return r.status >= 200 && r.status <= 299 && r.refresh != "" }

// rejected: a definite refusal. 408, 409, 423 and 429 are retryable
// conflicts or throttling, 5xx outages: neither says anything about the
// token, so they are undecided.
func (r answer) rejected() bool {
	switch r.status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusLocked, http.StatusTooManyRequests:
		return false
	}
	return r.status >= 400 && r.status <= 499
}

// works reports a verdict for a liveness check: nil when undecided.
func (r answer) works() *bool {
	switch {
	case r.accepted():
		return boolPtr(true)
	case r.rejected():
		return boolPtr(false)
	}
	return nil
}

func (r answer) String() string {
	s := fmt.Sprintf("HTTP %d", r.status)
	if r.code != "" {
		s += " " + r.code
	}
	if r.status >= 200 && r.status <= 299 && r.refresh == "" {
		s += " without a new refresh token"
	}
	return s
}

// transportError wraps transport failures: the probe cannot go on.
type transportError struct {
	step string
	err  error
}

func (e *transportError) Error() string {
	return "target unreachable (" + e.step + "): " + e.err.Error()
}
func (e *transportError) Unwrap() error { return e.err }

// newRefresh builds a refresh request presenting token with csrf ("" leaves
// the CSRF header out).
func (d *prober) newRefresh(ctx context.Context, token, csrf string) (*http.Request, error) {
	return targets.NewRefreshRequest(ctx, d.prof, token, csrf)
}

// send performs a prepared refresh and reads the reply.
func (d *prober) send(req *http.Request) (answer, error) {
	resp, err := d.c.Do(req)
	if err != nil {
		return answer{}, &transportError{step: "refresh", err: err}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return answer{}, &transportError{step: "refresh", err: err}
	}
	rep := d.prof.ParseRefresh(resp.StatusCode, resp.Header, body)
	return answer{
		status: resp.StatusCode, code: cleanCode(rep.ErrorCode),
		refresh: rep.NewRefresh, access: rep.NewAccess, kept: rep.Kept,
		cookies:    resp.Header.Values("Set-Cookie"),
		retryAfter: parseRetryAfter(resp.Header.Get("Retry-After")),
	}, nil
}

// cleanCode keeps an error code fit for the report: at most 64
// characters of letters, digits and _.:- (a server could echo anything).
func cleanCode(code string) string {
	var b strings.Builder
	for _, c := range code {
		if b.Len() >= 64 {
			break
		}
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == ':', c == '-':
			b.WriteRune(c)
		}
	}
	return b.String()
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date; 0 if absent.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// refresh presents token with csrf once.
func (d *prober) refresh(ctx context.Context, token, csrf string) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opt.Timeout)
	defer cancel()
	req, err := d.newRefresh(ctx, token, csrf)
	if err != nil {
		return answer{}, err
	}
	r, err := d.send(req)
	if r.kept && r.refresh == "" {
		r.refresh = token
	}
	return r, err
}

// rotate refreshes the family's head with its valid CSRF token and adopts
// the child, retrying throttling (429) and outages (503) a few times. A
// fresh family that cannot be refreshed at all leaves nothing to probe:
// that is an error.
// chain rotates f n times and returns its heads, oldest first: the token
// it was signed in with, then each child.
func (d *prober) chain(ctx context.Context, f *family, n int) ([]string, error) {
	heads := []string{f.head}
	for range n {
		if _, err := d.rotate(ctx, f); err != nil {
			return heads, err
		}
		heads = append(heads, f.head)
	}
	return heads, nil
}

func (d *prober) rotate(ctx context.Context, f *family) (answer, error) {
	backoff := 250 * time.Millisecond
	keptSince := time.Time{}
	for attempt := 1; ; attempt++ {
		r, err := d.refresh(ctx, f.head, f.csrf)
		if err != nil {
			return r, err
		}
		switch {
		case r.accepted() && r.refresh == f.head:
			// The server handed the same token back: it rotates only after
			// an interval. Wait for a real rotation, so that every chain the
			// experiments build is made of rotated tokens.
			if keptSince.IsZero() {
				keptSince = time.Now()
			}
			d.noteKept(time.Since(f.headSince))
			if time.Since(keptSince) > d.opt.MaxDelay {
				d.fp.Rotation = RotationNever
				return r, fmt.Errorf("the server handed the same refresh token back for longer than --max-delay %s: it does not rotate", d.opt.MaxDelay)
			}
			attempt = 0
			if !wait.For(ctx, keptPause) {
				return r, ctx.Err()
			}
			continue
		case r.accepted():
			if !keptSince.IsZero() {
				d.noteRotated(time.Since(f.headSince))
			}
			f.adopt(r)
			return r, nil
		}
		throttled := r.status == http.StatusTooManyRequests || r.status == http.StatusServiceUnavailable
		if !throttled || attempt == signInAttempts {
			return r, fmt.Errorf("a fresh family of %q could not be refreshed: %s", f.cred, r)
		}
		pause := backoff
		if r.retryAfter > 0 {
			pause = r.retryAfter
		}
		if !wait.For(ctx, min(pause, maxRetryWait)) {
			return r, ctx.Err()
		}
		backoff *= 2
	}
}

// keptPause is how long rotate waits before asking a server that kept its
// token again.
const keptPause = 100 * time.Millisecond

// checkAccess asks the session endpoint about an access token: its status,
// 0 when there is no token.
func (d *prober) checkAccess(ctx context.Context, access string) (int, error) {
	if access == "" || !d.prof.ChecksAccess() {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, d.opt.Timeout)
	defer cancel()
	status, err := d.prof.CheckAccess(ctx, d.c, access)
	if err != nil {
		return 0, &transportError{step: "session check", err: err}
	}
	return status, nil
}

// nextCred deals the credentials round-robin.
func (d *prober) nextCred() targets.Credential {
	c := d.creds[d.next%len(d.creds)]
	d.next++
	return c
}

// signIn signs a fresh family in as the next user.
func (d *prober) signIn(ctx context.Context) (*family, error) {
	return d.signInWith(ctx, d.c, d.nextCred())
}

// signInWith signs cred in through c, retrying throttling and outages a
// few times.
func (d *prober) signInWith(ctx context.Context, c *http.Client, cred targets.Credential) (*family, error) {
	backoff := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		sctx, cancel := context.WithTimeout(ctx, 2*d.opt.Timeout) // sign-in and CSRF fetch
		fam, err := d.prof.SignIn(sctx, c, cred)
		cancel()
		if err == nil {
			return &family{csrf: fam.CSRF, first: fam.Refresh, head: fam.Refresh, access: fam.Access, cred: cred.Identifier, headSince: time.Now()}, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var se *targets.StatusError
		retryable := errors.As(err, &se) && (se.Status == http.StatusTooManyRequests || se.Status >= 500)
		if !retryable || attempt == signInAttempts {
			if errors.As(err, &se) {
				return nil, fmt.Errorf("sign-in as %q failed: %w", cred.Identifier, err)
			}
			return nil, &transportError{step: fmt.Sprintf("sign-in as %q", cred.Identifier), err: err}
		}
		pause := backoff
		if se.RetryAfter > 0 {
			pause = se.RetryAfter
		}
		if !wait.For(ctx, min(pause, maxRetryWait)) {
			return nil, ctx.Err()
		}
		backoff *= 2
	}
}

// signOut ends a family when a sign-out URL is configured; failures are
// ignored (the family may be revoked already). It runs even when ctx is
// cancelled, bounded by the request timeout.
func (d *prober) signOut(ctx context.Context, f *family) {
	if d.opt.SignOutURL == "" || f == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.opt.SignOutURL, nil)
	if err != nil {
		return
	}
	targets.SetRefresh(req, d.prof, f.head, f.csrf)
	resp, err := d.c.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
}

// capture records the Set-Cookie lines of every response it carries,
// so that the attributes of the sign-in cookies can be checked whatever
// the profile does with them.
type capture struct {
	next http.RoundTripper
	mu   sync.Mutex
	set  []string
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err == nil {
		c.mu.Lock()
		c.set = append(c.set, resp.Header.Values("Set-Cookie")...)
		c.mu.Unlock()
	}
	return resp, err
}

func (c *capture) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.set...)
}

// capturingClient is d.c with its transport wrapped in a capture.
func (d *prober) capturingClient() (*http.Client, *capture) {
	next := d.c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	capt := &capture{next: next}
	cc := *d.c
	cc.Transport = capt
	return &cc, capt
}

// noteKept records that a head this old was handed back unrotated.
func (d *prober) noteKept(age time.Duration) {
	r := &d.fp.RotationInterval
	if d.fp.Rotation == RotationEvery {
		d.fp.Rotation = RotationAfterInterval
	}
	r.KeptUpToMS = max(r.KeptUpToMS, millis(age))
}

// noteRotated records the age at which a kept head finally rotated.
func (d *prober) noteRotated(age time.Duration) {
	r := &d.fp.RotationInterval
	if r.RotatedAtMS == 0 || millis(age) < r.RotatedAtMS {
		r.RotatedAtMS = millis(age)
	}
}
