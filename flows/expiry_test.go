package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestPointsExpireThroughTheLedger: the welcome bonus (promo, 30 days) and
// then regular points (a year without purchases) expire by the daily job,
// each as a ledger row the customer can read in /balance.
func TestPointsExpireThroughTheLedger(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 910, "Boris")
	anna := join(t, h, 110, "Anna")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	if got := balance(t, h, 110); got != 130 {
		t.Fatalf("balance %d, want 130", got)
	}
	ctx := context.Background()
	run := func() (int, int64) {
		rep, err := domain.ExpirePoints(ctx, h.DB, &h.Biz.Program, h.Clock.Now())
		if err != nil || len(rep.Failed) > 0 {
			t.Fatal(err, rep.Failed)
		}
		return rep.Cards, rep.Points
	}
	if c, p := run(); c != 0 || p != 0 {
		t.Fatalf("expired %d points on %d cards before anything was due", p, c)
	}
	h.Clock.Advance(31 * 24 * time.Hour)
	if c, p := run(); c != 1 || p != 100 {
		t.Fatalf("after 31 days: expired %d points on %d cards, want the 100-point welcome bonus", p, c)
	}
	if c, p := run(); c != 0 || p != 0 {
		t.Fatal("a second run expired again")
	}
	if got := balance(t, h, 110); got != 30 {
		t.Fatalf("balance %d, want 30 regular points left", got)
	}
	h.Clock.Advance(366 * 24 * time.Hour)
	if c, p := run(); c != 1 || p != 30 {
		t.Fatalf("after a year without purchases: expired %d on %d cards, want 30 on 1", p, c)
	}
	anna.Send("/balance")
	if !strings.Contains(anna.Last().Text, "Your balance: 0 points") || strings.Count(anna.Last().Text, "points expired") != 2 {
		t.Fatalf("balance does not explain the expiry:\n%s", anna.Last().Text)
	}
}
