package oracle

import "time"

// Reply is what a profile read from a refresh response: the facts the
// oracle judges. It holds the new tokens so the session can adopt them;
// the oracle only compares them.
type Reply struct {
	Status int // 0 when there was no response

	// NoResponse is set when the request failed below HTTP; Timeout says
	// whether that failure was a timeout.
	NoResponse bool
	Timeout    bool

	NewRefresh string // new refresh token from Set-Cookie, "" if none
	NewAccess  string // new access token from Set-Cookie, "" if none
	// CookieProblem names what is wrong with the refresh cookie's
	// attributes ("" when they are right).
	CookieProblem string

	FamilyID  string // session family id from the body, "" if absent
	ErrorCode string // the body's "error" field on rejections, "" if absent
	// Malformed says why a 2xx body could not be read as a refresh success.
	Malformed string
	// RetryAfter is the answer's Retry-After (0 if absent): how long the
	// target asks this client to wait before its next request.
	RetryAfter time.Duration
}
