package flows_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestLongestReceiptGoesWithItsCancelledPurchase: the month's biggest
// receipt, rung up late on the last day, earns its customer the longest
// receipt badge (and its points) at the job's run after midnight; the
// purchase is then cancelled (within the 24 h window). The badge and its
// points must go with it, as for every badge a purchase earned.
func TestLongestReceiptGoesWithItsCancelledPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, func(b *domain.Business) {
		for i := range b.Gamification.Badges {
			if b.Gamification.Badges[i].ID == "longest_receipt" {
				b.Gamification.Badges[i].Points = 500
			}
		}
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	buyFor(t, anna, cashier, 1000)
	h.Clock.Advance(8*24*time.Hour + 8*time.Hour + 30*time.Minute) // 30 November, 23:30 in Moscow
	buyFor(t, bob, cashier, 30000)
	bobPurchase := lastPurchaseID(t, h)
	before := balance(t, h, 102)
	h.Clock.Advance(40 * time.Minute) // 1 December, 00:10: the job's hour
	if n, err := h.Engine.Service.AwardMonthlyBadges(t.Context(), h.DB); err != nil || n != 1 {
		t.Fatalf("the job awarded %d (%v), want Bob's badge", n, err)
	}
	h.Settle()
	if got := balance(t, h, 102); got != before+500 {
		t.Fatalf("Bob's balance %d after the badge, want %d", got, before+500)
	}
	// Cancelled the same night (by a manager, or the POS: within 24 h).
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		_, err := h.Engine.Service.CancelPurchase(t.Context(), tx, bobPurchase, 0, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE cancelled_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d purchases cancelled, want Bob's", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM badge_awards a JOIN customers c ON c.id = a.customer_id
		WHERE a.badge = 'longest_receipt' AND c.telegram_id = 102`); n != 0 {
		t.Errorf("Bob keeps the longest receipt badge of a receipt that was cancelled")
	}
	if got := balance(t, h, 102); got != before-920 { // the 900 earned and the first purchase badge's 20 went; the 500 of the badge must too
		t.Errorf("Bob's balance %d after the cancel: the badge's 500 points stay, want %d", got, before-920)
	}
	// The next day's run gives the month's badge to its leader now.
	h.Clock.Advance(24 * time.Hour)
	if n, err := h.Engine.Service.AwardMonthlyBadges(t.Context(), h.DB); err != nil || n != 1 {
		t.Fatalf("the next run awarded %d (%v), want Anna's badge", n, err)
	}
	if n := countRows(t, h, `SELECT count(*) FROM badge_awards a JOIN customers c ON c.id = a.customer_id
		WHERE a.badge = 'longest_receipt' AND c.telegram_id = 101`); n != 1 {
		t.Errorf("Anna, the month's leader once Bob's receipt went, has %d longest receipt badges", n)
	}
}
