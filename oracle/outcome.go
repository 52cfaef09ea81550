package oracle

// Outcome is the classification of one request. Names are stable snake_case
// keys used in summary.json, thresholds, events.csv and the dashboard.
type Outcome uint8

const (
	// Accepted.
	OKRotated Outcome = iota
	OKGraceSameChild
	OKGraceSibling
	OKGraceCurrentHead
	OKNotRotated
	OKAccessSelfContained

	// Correct rejections.
	RejReuse
	RejRevokedFamily
	RejExpired
	RejUnknownToken
	RejCSRF
	RetryableConflict
	RateLimited

	// Failures.
	FailFalsePositiveReuse
	FailLostResponseLogout
	FailReplayAccepted
	FailRevocationMissing
	FailZombieFamily
	FailFork
	FailOrphanChild
	FailCSRFBypass
	FailCSRFSideEffect
	FailCookieAttrs
	FailUnexpectedLogout
	FailServerError
	FailBadResponse

	// Undecided.
	TransportError
	Timeout
	Indeterminate

	// NumOutcomes is the number of outcomes; arrays indexed by Outcome use it.
	NumOutcomes
)

var outcomeNames = [NumOutcomes]string{
	"ok_rotated", "ok_grace_same_child", "ok_grace_sibling", "ok_grace_current_head",
	"ok_not_rotated", "ok_access_self_contained",
	"rej_reuse", "rej_revoked_family", "rej_expired", "rej_unknown_token", "rej_csrf",
	"retryable_conflict", "rate_limited",
	"fail_false_positive_reuse", "fail_lost_response_logout", "fail_replay_accepted",
	"fail_revocation_missing", "fail_zombie_family", "fail_fork", "fail_orphan_child",
	"fail_csrf_bypass", "fail_csrf_side_effect", "fail_cookie_attrs",
	"fail_unexpected_logout", "fail_server_error", "fail_bad_response",
	"transport_error", "timeout", "indeterminate",
}

// String returns the stable snake_case name.
func (o Outcome) String() string {
	if o < NumOutcomes {
		return outcomeNames[o]
	}
	return "unknown_outcome"
}

// ParseOutcome maps a stable name back to its Outcome.
func ParseOutcome(name string) (Outcome, bool) {
	for i, n := range outcomeNames {
		if n == name {
			return Outcome(i), true
		}
	}
	return 0, false
}

// AllOutcomes lists every outcome in declaration order.
func AllOutcomes() []Outcome {
	all := make([]Outcome, NumOutcomes)
	for i := range all {
		all[i] = Outcome(i)
	}
	return all
}

// Category groups outcomes for reports and the default thresholds.
type Category uint8

const (
	Accepted Category = iota
	Rejected
	Failed
	Undecided
)

var categoryNames = [...]string{"accepted", "rejected", "failed", "undecided"}

func (c Category) String() string { return categoryNames[c] }

// Category returns the group the outcome belongs to.
func (o Outcome) Category() Category {
	switch {
	case o <= OKAccessSelfContained:
		return Accepted
	case o <= RateLimited:
		return Rejected
	case o <= FailBadResponse:
		return Failed
	default:
		return Undecided
	}
}

// IsFailure reports whether the outcome is a fail_* outcome.
func (o Outcome) IsFailure() bool { return o.Category() == Failed }

var outcomeMeanings = [NumOutcomes]string{
	"the token rotated: new refresh cookie, same family",
	"duplicate inside the grace window got the same child again",
	"duplicate inside the grace window got a new sibling",
	"duplicate inside the grace window got the current head",
	"the same refresh token came back unrotated, as the declared policy allows",
	"an access token still works after its family was revoked, as declared self-contained",
	"reuse of a rotated token was rejected",
	"the family was revoked; the token is dead",
	"the token expired",
	"the server does not know this token",
	"rejected for a missing or invalid CSRF token",
	"409/423/503: the server asked to retry",
	"429: rate limited",
	"a duplicate the policy allows was rejected or revoked the family (rotation race failure)",
	"a retry after a lost response logged the user out although the policy promised it would succeed",
	"a rotated token was accepted outside the grace window",
	"reuse was rejected but the family still works: stolen tokens stay valid",
	"a revoked family works again later",
	"two live heads of one parent beyond policy: a double spend",
	"a 200 whose child is already dead",
	"a refresh without a valid CSRF token was accepted",
	"a request rejected for CSRF changed server state",
	"the refresh cookie lacks Secure/HttpOnly/Path=/ or carries Domain",
	"a legitimate client following the protocol was logged out",
	"5xx other than 503",
	"malformed response: missing cookie, undecodable body or wrong family",
	"connection-level error: no response",
	"no response within the timeout",
	"timing within the margin of the grace window: not judged",
}

// Meaning is a one-line explanation for people.
func (o Outcome) Meaning() string {
	if o < NumOutcomes {
		return outcomeMeanings[o]
	}
	return ""
}
