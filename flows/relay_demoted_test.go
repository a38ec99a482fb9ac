package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestAnswerToADemotedManagerReachesTheOwners: a manager answers a
// customer's question, then is revoked and hired back as a cashier. The
// customer's answer to the shop's reply must not go to a cashier who
// cannot reply to it: it goes to the owners, and the owner may take the
// question over.
func TestAnswerToADemotedManagerReachesTheOwners(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStoreDetails)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	anna := join(t, h, 101, "Anna")
	posBuy(t, h, 101, "coffee")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	owner.Sync()
	alert := owner.Last().ID
	manager.Sync()
	manager.Tap("↩️ Reply").Send("Yes, 40 ₽ extra.")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Max").Tap("Yes, revoke")
	hire(t, h, owner, "cashier", 962, "Max")
	manager.Sync()
	managerBefore := len(manager.U.Messages())
	ownerBefore := len(owner.Sync().U.Messages())

	anna.Sync()
	anna.Tap("↩️ Answer").Send("And almond?")
	owner.Sync()
	manager.Sync()
	if got := manager.U.Messages()[managerBefore:]; len(got) != 0 && strings.Contains(manager.Last().Text, "And almond?") {
		t.Errorf("the customer's answer went to a cashier who cannot reply:\n%s", manager.Transcript())
	}
	if len(owner.U.Messages()) == ownerBefore || !strings.Contains(owner.Last().Text, "Anna answers:\nAnd almond?") {
		t.Fatalf("the owners never hear the customer's answer:\n%s", owner.Transcript())
	}
	owner.Tap("↩️ Reply").Send("Almond too.")
	if !strings.Contains(anna.Sync().Last().Text, "Almond too.") {
		t.Fatalf("the owner cannot take the thread over:\n%s", owner.Transcript())
	}
	owner.TapOld(alert, "↩️ Reply")
	if strings.Contains(owner.Last().Text, "Max has handled this question already") {
		t.Fatalf("a cashier still holds the question:\n%s", owner.Transcript())
	}
}
