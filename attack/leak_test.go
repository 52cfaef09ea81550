package attack

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: the
// engine's workers, follow-ups, pacer and collector must all end with Run.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
