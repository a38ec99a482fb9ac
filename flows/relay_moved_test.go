package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestAnswerToAManagerMovedToAnotherStoreReachesTheOwners: Central's
// manager answers a Central customer's question, then is moved to River
// (a River manager invitation opened). She may no longer answer Central's
// questions, so the customer's answer goes to the owners, and the owner
// may take the question over; the moved manager is not left with a Reply
// that only says the button is stale.
func TestAnswerToAManagerMovedToAnotherStoreReachesTheOwners(t *testing.T) {
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
	hireAt(t, h, owner, "manager", "River", 962, "Max") // moved to River
	manager.Sync()
	managerBefore := len(manager.U.Messages())
	ownerBefore := len(owner.Sync().U.Messages())

	anna.Sync()
	anna.Tap("↩️ Answer").Send("And almond?")
	owner.Sync()
	manager.Sync()
	if got := manager.U.Messages()[managerBefore:]; len(got) != 0 && strings.Contains(manager.Last().Text, "And almond?") {
		t.Errorf("the customer's answer went to River's manager, who cannot reply to it:\n%s", manager.Transcript())
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
		t.Fatalf("River's manager still holds Central's question:\n%s", owner.Transcript())
	}
}
