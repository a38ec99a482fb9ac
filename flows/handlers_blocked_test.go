package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestQuestionWhenEveryHandlerBlockedTheBot: with the owner and the
// manager both marked as having blocked the bot, a member's question is
// kept, but she is not promised that someone from the shop will answer
// her here soon: she is told it waits for the shop to come back. The
// owner who writes to the bot again finds it in /questions and can
// answer it.
func TestQuestionWhenEveryHandlerBlockedTheBot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	ben := join(t, h, 102, "Ben")
	posBuy(t, h, 102, "coffee")
	anna := join(t, h, 101, "Anna")
	posBuy(t, h, 101, "coffee")

	owner.U.Block()
	manager.U.Block()
	ben.Send("Are you open on Sunday?").Tap("✉️ Send")
	h.Settle() // the alerts meet the 403s
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE unreachable_at IS NOT NULL`); n != 2 {
		t.Fatalf("%d handlers marked as having blocked the bot, want 2", n)
	}

	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	got := anna.Last().Text
	if strings.Contains(got, "will answer you here") || !strings.Contains(got, "“Do you have oat milk?”") ||
		!strings.Contains(got, "nobody at Test Coffee can read it in the bot right now") {
		t.Fatalf("Anna is promised an answer nobody can give:\n%s", anna.Transcript())
	}

	owner.U.Unblock()
	owner.Send("/questions")
	if got := owner.Last().Text; !strings.Contains(got, "Do you have oat milk?") {
		t.Fatalf("the owner back in the bot does not find the question that waited:\n%s", owner.Transcript())
	}
	owner.Tap("↩️ 2. Anna, 22.11 15:00").Send("Yes, we do.")
	if !strings.Contains(anna.Sync().Last().Text, "Yes, we do.") {
		t.Fatalf("the owner's answer never reaches Anna:\n%s", owner.Transcript())
	}
}
