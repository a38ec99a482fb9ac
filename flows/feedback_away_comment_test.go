package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestBadReviewCommentWaitsForTheOwnerWhoBlockedTheBot: the owner got
// Anna's 1⭐ alert, then blocked the bot; Anna's comment that follows
// meets the 403. Back in the bot, the owner is sent the rating again
// with the comment she never read.
func TestBadReviewCommentWaitsForTheOwnerWhoBlockedTheBot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("1⭐")
	h.Settle()
	if got := alertsOf(owner, 0); got["Anna"].ID == 0 {
		t.Fatalf("no alert of Anna's 1⭐:\n%s", owner.Transcript())
	}
	owner.U.Block()
	h.Clock.Advance(time.Minute)
	anna.Send("The cashier was rude")
	h.Settle() // the comment's alert meets the 403
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE unreachable_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d handlers marked as having blocked the bot, want 1", n)
	}

	owner.U.Unblock()
	seen := len(owner.Sync().U.Messages())
	owner.Send("/start")
	h.Settle()
	got := alertsOf(owner, seen)
	if got["Anna"].ID == 0 || !strings.Contains(got["Anna"].Text, "The cashier was rude") {
		t.Fatalf("the owner back in the bot never reads Anna's comment:\n%s", owner.Transcript())
	}
}
