package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestChartActiveThisWeekAsStats: Anna buys on Sunday 22.11; 29 days
// later (Monday 21.12, the first day of a week) she bought within 30
// days: /stats counts her active, and so does the members chart's
// current week ("up to now"), not only the buyers of the 30 days before
// next Monday.
func TestChartActiveThisWeekAsStats(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	h.Clock.Advance(29 * 24 * time.Hour) // Monday 21.12.2026 15:00 Moscow

	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "Now: active 1") {
		t.Fatalf("/stats:\n%s", got)
	}
	owner.Send("/chart members")
	if got := lastPNG(t, owner); !strings.Contains(got, "Week of 21.12") || !strings.Contains(got, "active 1 ") {
		t.Fatalf("the chart's current week forgets a customer who bought 29 days ago, /stats counts her: %q", got)
	}
}

// TestChartWeeksInTheStoresZone: at 01:30 on Monday 23.11 in Tashkent
// (23:30 on Sunday in Moscow, the first store's zone) River's cashier
// rings a purchase up. River's manager reads weeks of River's days, as
// /stats counts them: the purchase is in the week of 23.11.
func TestChartWeeksInTheStoresZone(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hireAt(t, h, owner, "cashier", "River", 901, "Boris")
	manager := hireAt(t, h, owner, "manager", "River", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	h.Clock.Advance(8*time.Hour + 30*time.Minute) // 22.11 20:30 UTC: Monday 01:30 in Tashkent
	buy(t, anna, cashier)

	manager.Send("/stats today")
	if got := manager.Last().Text; !strings.Contains(got, "📊 River · 23.11.2026") || !strings.Contains(got, "Purchases: 1,") {
		t.Fatalf("/stats today:\n%s", got)
	}
	manager.Send("/chart revenue")
	if got := lastPNG(t, manager); !strings.Contains(got, "Week of 23.11: revenue 1,000 RUB") {
		t.Fatalf("River's chart counts River's Monday in the week before, by Moscow's clock: %q", got)
	}
}

// TestStatsDatesOnNewYearsNight: at 00:30 on 1 January 2027 in Moscow
// (still 2026 in UTC) the owner asks for the day by a two-digit year:
// the report is of 01.01.2027, not of 1927 (which the period turned
// into 01.01.2000); a year before 2000 is refused, not clamped.
func TestStatsDatesOnNewYearsNight(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	h.Clock.Advance(39*24*time.Hour + 9*time.Hour + 30*time.Minute) // 31.12.2026 21:30 UTC
	owner.Send("/stats 01.01.27 01.01.27")
	if got := owner.Last().Text; !strings.Contains(got, "📊 All stores · 01.01.2027\n") {
		t.Fatalf("/stats 01.01.27 01.01.27 on New Year's night:\n%s", got)
	}
	owner.Send("/stats 01.01.1999 31.01.1999")
	if got := owner.Last().Text; strings.Contains(got, "01.01.2000") {
		t.Fatalf("a period of 1999 became one of 2000:\n%s", got)
	}
}
