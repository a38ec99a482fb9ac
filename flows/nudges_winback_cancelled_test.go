package flows_test

import (
	"testing"
	"time"
)

// TestWinBackWaitingSurvivesAPurchaseCancelledAsAMistake: a win-back due
// at 23:00 waits for 10:00. At 09:00 a purchase is rung up on Anna's card
// by mistake and cancelled at once: she has still not come back, so at
// 10:00 "We miss you" goes out as it would have.
func TestWinBackWaitingSurvivesAPurchaseCancelledAsAMistake(t *testing.T) {
	t.Parallel()
	h, owner, anna := winBackAt23(t)
	h.Clock.Advance(10 * time.Hour) // 09:00
	buy(t, anna, owner)
	owner.Tap("Cancel this purchase").Tap("Yes, cancel it")
	h.Clock.Advance(2 * time.Hour) // 11:00
	h.Settle()
	runNudges(t, h)
	if got(anna.Sync(), "We miss you") != 1 {
		t.Fatalf("a cancelled purchase took back the win-back waiting for the morning:\n%s\n%s", anna.Transcript(), owner.Transcript())
	}
}
