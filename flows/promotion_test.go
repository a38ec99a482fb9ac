package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withHappyHour runs double points at Central on Sundays 15:00-16:00
// (the harness's clock starts on Sunday 22 November, 15:00 in Moscow).
func withHappyHour(b *domain.Business) {
	b.Owners = []int64{ownerID}
	b.Program.Promotions = []domain.Promotion{{ID: "sunday_tea", Multiplier: 2,
		Title:    map[string]string{"en": "Sunday tea time", "ru": "Воскресное чаепитие"},
		Days:     []time.Weekday{time.Sunday},
		StartMin: 15 * 60, EndMin: 16 * 60, Stores: []string{"central"}}}
}

// TestPromotionDoublesPointsWhileItRuns: at Central during the happy
// hour the register quotes double points and says why, the purchase
// records them and the promotion, and the customer is told; an hour
// later the same receipt earns the tier's rate, and nothing mentions it.
func TestPromotionDoublesPointsWhileItRuns(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withHappyHour)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start s_central").Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("No, thanks")

	// Anna joined at Central's poster: her card says the promotion runs.
	anna.Send("/card")
	if photo, _ := anna.LastPhoto(); !strings.HasSuffix(photo.Caption, "\n🔥 Now: Sunday tea time (points ×2)") {
		t.Errorf("the card's caption during the promotion:\n%s", photo.Caption)
	}
	scan(t, anna, cashier)
	cashier.Send("1000")
	if got := cashier.Last().Text; !strings.HasSuffix(got, "\n🔥 Sunday tea time: points ×2") {
		t.Errorf("the quote does not name the promotion:\n%s", got)
	}
	cashier.Tap("➕ Accrue +60")
	if got := cashier.Last().Text; !strings.Contains(got, "🔥 Sunday tea time: points ×2") {
		t.Errorf("the check does not name the promotion:\n%s", got)
	}
	cashier.Tap("✅ Confirm")
	anna.Sync()
	if got := lastTexts(anna, 3); !strings.Contains(got, "Points: +60.") ||
		!strings.Contains(got, "🔥 Sunday tea time: your points were multiplied by 2.") {
		t.Errorf("the customer's message:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE promotion = 'sunday_tea' AND points_earned = 60`); n != 1 {
		t.Errorf("%d purchases record the promotion, want 1", n)
	}

	h.Clock.Advance(time.Hour) // 16:00: over
	anna.Send("/card")
	if photo, _ := anna.LastPhoto(); strings.Contains(photo.Caption, "🔥") {
		t.Errorf("the card's caption after the promotion:\n%s", photo.Caption)
	}
	scan(t, anna, cashier)
	cashier.Send("1000")
	if got := cashier.Last().Text; strings.Contains(got, "🔥") {
		t.Errorf("the quote names a promotion that ended:\n%s", got)
	}
	cashier.Tap("➕ Accrue +30").Tap("✅ Confirm")
	anna.Sync()
	if got := anna.Last().Text; strings.Contains(got, "🔥") || !strings.Contains(got, "Points: +30.") {
		t.Errorf("the customer's message after the promotion:\n%s", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE promotion IS NULL AND points_earned = 30`); n != 1 {
		t.Errorf("%d purchases at the tier's rate without a promotion, want 1", n)
	}

	// Her own data export names it too.
	anna.Send("/privacy").Tap("📦 Download my data")
	if d := anna.Last().Document; d == nil || !strings.Contains(string(d.Data), `"promotion": "Sunday tea time"`) ||
		strings.Count(string(d.Data), `"promotion"`) != 1 {
		t.Errorf("her data export and the promotion:\n%s", anna.Transcript())
	}
	// Her card in the owner's hands marks the multiplied purchase.
	owner.Send("/customer +79990000101")
	if got := owner.Last().Text; !strings.Contains(got, "· +60 / −0 🔥×2") || strings.Count(got, "🔥") != 1 {
		t.Errorf("the customer card's purchases:\n%s", got)
	}
	// Her purchases export names the promotion of the first.
	owner.Send("/export").Tap("🧾 Purchases")
	var promos []string
	for _, row := range lastCSV(t, owner, "purchases-2026-11-22.csv")[1:] {
		promos = append(promos, row[14]) // purchase_id … cancelled_at, promotion, returned_minor
	}
	if !slices.Equal(promos, []string{"sunday_tea", ""}) {
		t.Errorf("the export's promotion column: %q", promos)
	}
	// The owner sees what it came to: one purchase of the two, and the
	// 30 points the multiplier added.
	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "\n🔥 Sunday tea time: 1 of the purchases (50.0 %), ") ||
		!strings.Contains(got, "points over the usual rate: +30\n") {
		t.Errorf("/stats:\n%s", got)
	}
	// A promotion the config no longer has keeps its numbers, by id.
	h.Biz.Program.Promotions[0].ID = "renamed"
	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "🔥 sunday_tea (no longer in the config): 1 of the purchases (50.0 %), ") {
		t.Errorf("/stats after the promotion left the config:\n%s", got)
	}
}
