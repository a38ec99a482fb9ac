package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestExportRowsAtTheirStoresClock: River is in Tashkent (UTC+5), the
// chain's first store in Moscow (UTC+3). A purchase rung up at River at
// 17:00 on River's clock is in the owner's purchases and feedback
// exports at 17:00, as the receipt and River's cashier say, not at 15:00
// Moscow time; Central's at 15:00. Each row names its time zone in a
// last column, so mixed zones in one file are not mistaken.
func TestExportRowsAtTheirStoresClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en")
	boris := hireAt(t, h, owner, "cashier", "River", 981, "Boris")
	vera := hire(t, h, owner, "cashier", 982, "Vera")
	anna := join(t, h, 101, "Anna")
	bella := join(t, h, 102, "Bella")
	buy(t, anna, boris) // 12:00 UTC: 17:00 at River
	buy(t, bella, vera) // 15:00 at Central
	anna.Send("/feedback").Tap("5⭐").Tap("Skip")
	h.Settle()

	owner.Send("/export").Tap("🧾 Purchases")
	rows := lastCSV(t, owner, "purchases-2026-11-22.csv")
	if len(rows) != 3 || rows[0][len(rows[0])-1] != "time_zone" {
		t.Fatalf("the purchases export: %q", rows)
	}
	got := map[string][]string{}
	for _, r := range rows[1:] {
		got[r[2]] = []string{r[1], r[len(r)-1]}
	}
	if !slices.Equal(got["river"], []string{"2026-11-22 17:00:00", "Asia/Tashkent"}) ||
		!slices.Equal(got["central"], []string{"2026-11-22 15:00:00", "Europe/Moscow"}) {
		t.Fatalf("purchases at their stores' clocks, want River's at 17:00 Asia/Tashkent, Central's at 15:00 Europe/Moscow: %q", rows)
	}

	owner.Send("/export").Tap("⭐ Feedback")
	rows = lastCSV(t, owner, "feedback-2026-11-22.csv")
	if len(rows) != 2 || rows[0][len(rows[0])-1] != "time_zone" || rows[1][2] != "river" ||
		!strings.HasPrefix(rows[1][1], "2026-11-22 17:") || rows[1][len(rows[1])-1] != "Asia/Tashkent" {
		t.Fatalf("Anna's rating of River, want River's clock: %q", rows)
	}
}
