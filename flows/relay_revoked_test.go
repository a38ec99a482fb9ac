package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestRevokedMidReplyIsToldTheWordsDidNotGo: a manager taps Reply under
// a customer's question and is revoked before she writes. Her words do
// not reach the customer, and she hears why instead of silence.
func TestRevokedMidReplyIsToldTheWordsDidNotGo(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStoreDetails)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	anna := join(t, h, 101, "Anna")
	posBuy(t, h, 101, "coffee")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	manager.Sync()
	manager.Tap("↩️ Reply")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Max").Tap("Yes, revoke")
	manager.Sync()
	before := len(manager.U.Messages())
	annaBefore := len(anna.Sync().U.Messages())
	manager.Send("Yes we do, 40 ₽ extra")
	if len(anna.Sync().U.Messages()) != annaBefore {
		t.Fatalf("a revoked manager's words reached the customer:\n%s", anna.Transcript())
	}
	if len(manager.U.Messages()) == before || !strings.Contains(manager.Last().Text, "revoked") {
		t.Fatalf("the revoked manager's words vanished without a word to her:\n%s", manager.Transcript())
	}
}
