package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestTodayForTheTill: /today shows a cashier what they rang up since
// midnight in the store's zone: the purchases that stand in the totals,
// a cancelled one counted apart and marked; not another cashier's, not
// yesterday's. A customer has no such command.
func TestTodayForTheTill(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	boris := hire(t, h, owner, "cashier", 901, "Boris")
	vera := hire(t, h, owner, "cashier", 903, "Vera")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	petr := join(t, h, 102, "Petr")

	boris.Send("/today")
	if got := boris.Last().Text; got != "No checkouts by you today (22.11.2026) yet." {
		t.Fatalf("an empty day: %q", got)
	}
	h.Clock.Advance(10 * time.Hour) // 01:00 on the 23rd in Moscow
	buy(t, anna, boris)             // 1,000: +30
	h.Clock.Advance(time.Hour)
	scan(t, petr, boris)
	boris.Send("500").Tap("➕ Accrue +15").Tap("✅ Confirm")
	buy(t, petr, vera)
	manager.Send("/staff").Tap("🧾 Recent purchases").Tap("Cancel 02:00 · Petr · 500 RUB").Tap("Yes, cancel it")

	boris.Send("/today")
	got := boris.Last().Text
	for _, want := range []string{"🧾 Your checkouts today, 23.11.2026\nPurchases: 1 · receipts 1,000 RUB · points +30 / −0\n",
		"Cancelled since (not in the totals): 1\n", "02:00 · Petr · 500 RUB · +15 / −0 (cancelled)\n01:00 · Anna · 1,000 RUB · +30 / −0"} {
		if !strings.Contains(got, want) {
			t.Errorf("/today lacks %q:\n%s", want, got)
		}
	}
	h.Clock.Advance(24 * time.Hour)
	boris.Send("/today")
	if got := boris.Last().Text; got != "No checkouts by you today (24.11.2026) yet." {
		t.Errorf("the next day: %q", got)
	}
	anna.Send("/today")
	if got := anna.Last().Text; strings.Contains(got, "checkouts") {
		t.Errorf("a customer's /today: %q", got)
	}
}
