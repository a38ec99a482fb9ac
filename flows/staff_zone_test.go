package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestRecentPurchasesInTheStoresZone: River's manager, and the owner,
// read River's purchases at River's clock (Tashkent), as its cashier's
// /today does.
func TestRecentPurchasesInTheStoresZone(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hireAt(t, h, owner, "cashier", "River", 951, "Boris")
	manager := hireAt(t, h, owner, "manager", "River", 952, "Mila")
	anna := joinVia(t, h, 151, "Anna", "s_river")
	buy(t, anna, cashier)

	cashier.Send("/today")
	if got := cashier.Last().Text; !strings.Contains(got, "17:00 · Anna") {
		t.Fatalf("the cashier's /today:\n%s", got)
	}
	manager.Send("/staff").Tap("🧾 Recent purchases")
	if got := lastTexts(manager, 2); !strings.Contains(got, "17:00 · Anna") {
		t.Fatalf("River's manager reads the purchase at another store's time:\n%s", got)
	}
	// The chain's owner reads each store's purchases at that store's clock.
	owner.Send("/staff").Tap("🧾 Recent purchases")
	if got := lastTexts(owner, 2); !strings.Contains(got, "17:00 · Anna") {
		t.Fatalf("the owner reads River's purchase at another store's time:\n%s", got)
	}
}
