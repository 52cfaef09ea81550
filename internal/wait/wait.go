// Package wait holds the one cancellable pause that the load engine's
// chaos follow-ups and the policy probe's experiments both need.
package wait

import (
	"context"
	"time"
)

// For waits d or until ctx ends; it reports whether the wait completed.
func For(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
