package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestReturnPreviewAfterErasure: a manager has picked Anna's purchase of
// 1,000 (30 points earned) for a return when she deletes her data: her
// 130 points are forfeited. The confirmation says what the return then
// does: 30 points taken back, nothing kept from the refund (the points
// went with the erasure, she did not spend them), the whole 1,000 paid
// back, as the return recorded on Confirm does.
func TestReturnPreviewAfterErasure(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	manager := hire(t, h, owner, "manager", 962, "Mila")
	anna := join(t, h, 161, "Anna")
	buy(t, anna, cashier)
	if got := balance(t, h, 161); got != 130 {
		t.Fatalf("balance %d, want 130", got)
	}
	h.Clock.Advance(time.Hour)
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap(manager.Last().Inline[0][0].Text)

	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	h.Settle()

	manager.Send("1000")
	got := manager.Last().Text
	if !strings.Contains(got, "−30 of those it earned") || !strings.Contains(got, "Refund in money: 1,000 RUB") ||
		strings.Contains(got, "kept from the refund") {
		t.Errorf("the confirmation after the erasure:\n%s", got)
	}
	manager.Tap("✅ Confirm the return")
	if n := countRows(t, h, `SELECT count(*) FROM purchase_returns WHERE refund = 100000 AND points_short = 0`); n != 1 {
		t.Errorf("%d returns refunding the whole 1,000, want 1:\n%s", n, manager.Transcript())
	}
	if got := manager.Last().Text; !strings.Contains(got, "1,000 RUB") {
		t.Errorf("the return done:\n%s", got)
	}
	ledgerAddsUp(t, h)
}
