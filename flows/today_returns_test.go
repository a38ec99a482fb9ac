package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestTodayFullReturnIsNoCancel: a purchase the cashier rang up and took
// back whole the same day is, at the till, a sale and a refund, not a
// cancel. /today counts the refund among the returns and marks the
// purchase returned, not cancelled; like /stats staff, which does not
// count a full return as the cashier's cancel, nor it as a checkout.
func TestTodayFullReturnIsNoCancel(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Program.CashierReturns = true })
	owner := h.Chat(ownerID, "Olga", "en")
	boris := hire(t, h, owner, "cashier", 931, "Boris")
	anna := join(t, h, 131, "Anna")
	h.Clock.Advance(2 * time.Hour)
	buy(t, anna, boris) // 1,000: +30
	h.Clock.Advance(10 * time.Minute)
	scan(t, anna, boris)
	boris.Tap("↩ Return of items").Tap(boris.Last().Inline[0][0].Text).Tap("All: 1,000 RUB").Tap("✅ Confirm the return")

	boris.Send("/today")
	got := boris.Last().Text
	if strings.Contains(got, "Cancelled since") {
		t.Errorf("/today counts a full return as a cancel:\n%s", got)
	}
	for _, want := range []string{"Purchases: 0 · receipts 0 RUB · points +0 / −0", "Returns you took: 1 · paid back 1,000 RUB",
		"· Anna · 0 RUB · +0 / −0 (returned 1,000 RUB)"} {
		if !strings.Contains(got, want) {
			t.Errorf("/today lacks %q:\n%s", want, got)
		}
	}
	owner.Send("/stats today")
	owner.Tap("🧑‍💼 Staff")
	if got := owner.Last().Text; strings.Contains(got, "cancel") || !strings.Contains(got, "checkouts 0") {
		t.Errorf("/stats staff counts the full return as a cancel:\n%s", got)
	}
}

// TestStatsDatesInTheStoresZone: at 01:00 in Moscow (22:00 UTC) the
// "Dates…" example and the start of /stats nudges are days of the
// store's calendar, not of UTC's.
func TestStatsDatesInTheStoresZone(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges)
	owner := h.Chat(ownerID, "Olga", "en")
	boris := hire(t, h, owner, "cashier", 932, "Boris")
	buy(t, join(t, h, 132, "Anna"), boris)
	h.Clock.Advance(time.Hour)
	runNudges(t, h)                // the welcome, for /stats nudges to report
	h.Clock.Advance(9 * time.Hour) // 01:00 on the 23rd in Moscow, 22:00 on the 22nd in UTC
	owner.Send("/stats").Tap("📅 Dates…")
	if got := owner.Last().Text; !strings.Contains(got, "24.10.2026 - 23.11.2026") {
		t.Errorf("the example is not of the store's calendar: %q", got)
	}
	owner.Send("/stats nudges") // the Dates… question is asked again after it
	if got := lastTexts(owner, 2); !strings.Contains(got, "(since 2026-10-24)") {
		t.Errorf("/stats nudges starts on a day of UTC: %q", got)
	}
}

// TestTodayReadsEachPurchaseAtItsStoresClock: a cashier rings up at
// Central (Moscow), then is moved to River (Tashkent, two hours ahead)
// the same day. /today lists the Central purchase at Central's clock, as
// Recent purchases and the cancel question do, not at River's.
func TestTodayReadsEachPurchaseAtItsStoresClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en")
	hire(t, h, owner, "cashier", 933, "Boris")
	anna := join(t, h, 133, "Anna")
	h.Clock.Advance(3 * time.Hour) // 18:00 in Moscow, 20:00 in Tashkent
	boris := h.Chat(933, "Boris", "en")
	buy(t, anna, boris)
	hireAt(t, h, owner, "cashier", "River", 933, "Boris")
	owner.Send("/staff").Tap("🧾 Recent purchases")
	if got := lastTexts(owner, 2); !strings.Contains(got, "18:00 · ") {
		t.Fatalf("Recent purchases:\n%s", got)
	}
	boris.Send("/today")
	if got := boris.Last().Text; !strings.Contains(got, "18:00 · Anna · 1,000 RUB") {
		t.Errorf("/today reads the Central purchase at River's clock:\n%s", got)
	}
}
