package flows

import (
	"errors"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestSafelyTurnsPanicIntoError: a bug in a step must not become a poison
// update; the engine's error path then answers and marks it handled.
func TestSafelyTurnsPanicIntoError(t *testing.T) {
	s := &Session{Conv: &domain.Conversation{Flow: "checkout", Step: "amount"}}
	err := safely(func(*Session) error { panic("boom") }, s)
	if err == nil || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), `step "amount"`) {
		t.Fatalf("got %v", err)
	}
	want := errors.New("plain")
	if err := safely(func(*Session) error { return want }, s); err != want {
		t.Fatalf("got %v, want the step's own error", err)
	}
}
