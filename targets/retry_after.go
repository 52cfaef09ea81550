package targets

import (
	"net/http"
	"time"
)

// RetryAfter reads an answer's Retry-After, in seconds or as an HTTP
// date; 0 if absent or unreadable. It is HTTP's, not a profile's, so the
// engine reads it the same way for every profile.
func RetryAfter(h http.Header) time.Duration { return retryAfter(h) }

// DefaultMaxRetryAfter is the longest Retry-After honoured when the
// caller sets no limit (--max-retry-after's default).
const DefaultMaxRetryAfter = 30 * time.Second
