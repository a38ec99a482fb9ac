package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStaffMenuIsNotSentAgainAfterEachCommand: the owner opens /staff,
// then reads /stats and /help. The menu's buttons work whatever the chat
// did since, so nothing is pending; it had stayed the chat's step, and
// every command after it ended with the whole /staff menu again.
func TestStaffMenuIsNotSentAgainAfterEachCommand(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff")
	menu := owner.Last().ID
	owner.Send("/stats nudges")
	owner.Send("/help")
	if n := strings.Count(owner.Transcript(), "Staff: what would you like to do?"); n != 1 {
		t.Fatalf("the /staff menu was sent %d times:\n%s", n, owner.Transcript())
	}
	owner.TapOld(menu, "👥 Staff list")
	if got := owner.Last().Text; !strings.HasPrefix(got, "Staff:") {
		t.Fatalf("the staff list from the menu after the commands:\n%s", owner.Transcript())
	}
}
