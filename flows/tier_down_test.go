package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestTierDropAfterAReturnOrCancelIsTold: the purchase that lifted a
// card to a tier told the customer "from your next purchase you earn
// 7.5 %"; when a return or a cancel takes the year's spend back below
// the tier, the message about it says the level the card is at now and
// its rate, so that promise is not left standing. A return that keeps
// the tier says nothing of it.
func TestTierDropAfterAReturnOrCancelIsTold(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, withHalfPercents)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")

	scan(t, anna, cashier)
	cashier.Send("1200").Tap("➕ Accrue +30").Tap("✅ Confirm")
	anna.Sync()
	if got := texts(anna); !strings.Contains(got, "You have reached Gold: from your next purchase you earn 7.5 %") {
		t.Fatalf("no tier-up message:\n%s", anna.Transcript())
	}
	h.Clock.Advance(24 * time.Hour)
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap("22.11.26 15:00 · 1,200 RUB").Send("100").Tap("✅ Confirm the return")
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "Balance") || strings.Contains(got, "level") {
		t.Fatalf("a return that keeps Gold speaks of the level:\n%s", anna.Transcript())
	}
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap("22.11.26 15:00 · 1,200 RUB (returned 100 RUB)").Send("200").Tap("✅ Confirm the return")
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "Your level is now Base: from your next purchase you earn 2.5 %") {
		t.Fatalf("the return that took the card below Gold does not say so:\n%s", anna.Transcript())
	}

	cleo := join(t, h, 103, "Cleo")
	scan(t, cleo, cashier)
	cashier.Send("1000").Tap("➕ Accrue +25").Tap("✅ Confirm")
	cashier.Tap("Cancel this purchase").Tap("Yes, cancel it")
	cleo.Sync()
	if got := lastTexts(cleo, 2); !strings.Contains(got, "was cancelled") ||
		!strings.Contains(got, "Your level is now Base: from your next purchase you earn 2.5 %") {
		t.Fatalf("the cancel that took the card below Gold does not say so:\n%s", cleo.Transcript())
	}
}
