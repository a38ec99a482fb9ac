package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestRecentPurchasesReachTheWholeDay: a manager cancels any purchase of
// the last 24 hours from /staff → Recent purchases ("Purchases of the
// last 24 hours:"); in a store that rang up more than ten since, the
// morning's mistake must still be reachable (a page further), not gone
// from the only place a manager cancels it.
func TestRecentPurchasesReachTheWholeDay(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	petr := join(t, h, 102, "Petr")
	anna := join(t, h, 101, "Anna")
	scan(t, petr, cashier)
	cashier.Send("500").Tap("➕ Accrue +15").Tap("✅ Confirm") // the mistake
	for range 10 {
		h.Clock.Advance(10 * time.Minute)
		buy(t, anna, cashier)
	}
	manager.Send("/staff").Tap("🧾 Recent purchases")
	for page := 0; page < 5 && !strings.Contains(manager.Last().Text, "Petr"); page++ {
		if !nextPage(manager) {
			break
		}
	}
	if !strings.Contains(manager.Last().Text, "Petr") {
		t.Fatalf("the purchase of 100 minutes ago cannot be reached to cancel:\n%s", manager.Last().Text)
	}
	manager.Tap(buttonWith(t, manager, "Petr")).Tap("Yes, cancel it")
	if got := balance(t, h, 102); got != 100 {
		t.Fatalf("Petr's balance %d after the cancel, want 100 (the welcome bonus)", got)
	}
}

// nextPage taps the ▶ of the chat's newest message; false when it has none.
func nextPage(c *bottest.Chat) bool {
	for _, row := range c.Last().Inline {
		for _, b := range row {
			if strings.Contains(b.Text, "▶") {
				c.Tap(b.Text)
				return true
			}
		}
	}
	return false
}
