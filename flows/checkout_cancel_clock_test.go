package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestCancelAskNamesThePurchaseAtItsStoresClock: a cashier of a store
// in another time zone than the chain's first taps "Cancel this
// purchase" on their receipt; the question names the purchase by the
// time /today shows it at (the store's clock), not the first store's.
func TestCancelAskNamesThePurchaseAtItsStoresClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hireAt(t, h, owner, "cashier", "River", 981, "Boris")
	anna := join(t, h, 101, "Anna")

	scan(t, anna, cashier)
	cashier.Send("450").Tap("➕ Accrue +13").Tap("✅ Confirm")
	cashier.Send("/today")
	if b := cashier.Last().Buttons(); len(b) != 1 || b[0] != "Cancel 17:00 · Anna · 450 RUB" {
		t.Fatalf("/today's cancel buttons: %q\n%s", b, cashier.Transcript())
	}
	cashier.Tap("Cancel 17:00 · Anna · 450 RUB")
	if got := cashier.Last().Text; !strings.Contains(got, "Cancel the purchase of 22.11 17:00: Anna") {
		t.Fatalf("the cancel question names another time than /today (River is at UTC+5):\n%s", got)
	}
}
