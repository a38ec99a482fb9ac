package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestPromotionReportAfterReturnBelowItsMinimum: "×2 on receipts from
// 1,000 RUB"; a receipt of 1,000 earns 60, and a return of 100 leaves 900
// at the usual 27: the promotion multiplied nothing that stands, so its
// results say so (no purchase, no points over the usual rate), not "+13".
// A second return still takes back the usual rate's share.
func TestPromotionReportAfterReturnBelowItsMinimum(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Program.CashierReturns = true })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 925, "Boris")
	anna := join(t, h, 125, "Anna")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("Central").Tap("▶ Now").Tap("2 h (till 17:00)").
		Send("Big receipts").Tap("🧾 Only receipts from…").Send("1000").Tap("🔥 Start")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +60").Tap("✅ Confirm")
	owner.Send("/promo")
	if got := owner.Last().Text; !strings.Contains(got, "so far: purchases 1, 1,000 RUB, points over the usual rate +30") {
		t.Fatalf("/promo before the return:\n%s", got)
	}
	scan(t, anna, cashier)
	cashier.Tap("↩ Return of items").Tap(cashier.Last().Inline[0][0].Text).Send("100").Tap("✅ Confirm the return")
	if got := balance(t, h, 125); got != 127 { // 100 welcome + 3 % of 900
		t.Fatalf("balance %d after the return, want 127:\n%s", got, cashier.Transcript())
	}
	owner.Send("/promo")
	if got := owner.Last().Text; !strings.Contains(got, "Big receipts") || strings.Contains(got, "so far:") {
		t.Errorf("/promo after a return below the minimum counts the purchase under it:\n%s", got)
	}
	owner.Send("/stats")
	if got := owner.Last().Text; strings.Contains(got, "Big receipts") {
		t.Errorf("/stats after a return below the minimum counts the purchase under it:\n%s", got)
	}
	scan(t, anna, cashier)
	cashier.Tap("↩ Return of items").Tap(cashier.Last().Inline[0][0].Text).Send("100").Tap("✅ Confirm the return")
	if got := balance(t, h, 125); got != 124 { // 100 welcome + 3 % of 800
		t.Errorf("balance %d after a second return, want 124:\n%s", got, cashier.Transcript())
	}
	h.Clock.Advance(2 * time.Hour)
	if n, err := h.Engine.ReportPromotions(t.Context()); err != nil || n != 1 {
		t.Fatalf("ReportPromotions: %d, %v; want 1", n, err)
	}
	owner.Sync()
	if got := owner.Last().Text; !strings.Contains(got, "«Big receipts» is over") || !strings.Contains(got, "No purchase was made under it.") {
		t.Errorf("the report of a promotion whose only purchase fell below its minimum:\n%s", got)
	}
}

// TestPromotionReportAfterReturnFallsBackToAnother: "×3 from 1,000" beat
// the happy hour's ×2 on a 1,000 receipt (90 points); a return of 100
// leaves 900 under the happy hour (54): /stats counts the purchase under
// the happy hour with +27 over the usual rate, not under the ×3.
func TestPromotionReportAfterReturnFallsBackToAnother(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withHappyHour, func(b *domain.Business) { b.Program.CashierReturns = true })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 926, "Boris")
	anna := join(t, h, 126, "Anna")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×3").Tap("Central").Tap("▶ Now").Tap("2 h (till 17:00)").
		Send("Big receipts").Tap("🧾 Only receipts from…").Send("1000").Tap("🔥 Start")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +90").Tap("✅ Confirm")
	h.Clock.Advance(2 * time.Hour)
	scan(t, anna, cashier)
	cashier.Tap("↩ Return of items").Tap(cashier.Last().Inline[0][0].Text).Send("100").Tap("✅ Confirm the return")
	if got := balance(t, h, 126); got != 154 {
		t.Fatalf("balance %d after the return, want 154:\n%s", got, cashier.Transcript())
	}
	owner.Send("/stats")
	stats := owner.Last().Text
	if strings.Contains(stats, "Big receipts") ||
		!strings.Contains(stats, "🔥 Sunday tea time: 1 of the purchases (100.0 %), 900 RUB, points over the usual rate: +27") {
		t.Errorf("/stats after a return that leaves the receipt under the happy hour:\n%s", stats)
	}
	scan(t, anna, cashier)
	cashier.Tap("↩ Return of items").Tap(cashier.Last().Inline[0][0].Text).Send("100").Tap("✅ Confirm the return")
	if got := balance(t, h, 126); got != 148 { // 100 welcome + 2 × 3 % of 800
		t.Errorf("balance %d after a second return, want 148:\n%s", got, cashier.Transcript())
	}
	if n, err := h.Engine.ReportPromotions(t.Context()); err != nil || n != 1 {
		t.Fatalf("ReportPromotions: %d, %v; want 1", n, err)
	}
	owner.Sync()
	if got := owner.Last().Text; !strings.Contains(got, "«Big receipts» is over") || !strings.Contains(got, "No purchase was made under it.") {
		t.Errorf("the report of the ×3:\n%s", got)
	}
}
