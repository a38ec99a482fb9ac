package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestWithdrawnRequestDoesNotUseUpThePeriod: a purchase at 21:00 Moscow
// time is asked about at 09:00 (quiet hours); at 08:30 it is returned in
// full (cancelled) and Anna buys the right thing at 08:35. The held
// request is withdrawn and never reaches her, so it must not count as
// "the one request of the period": the 08:35 visit is asked about at
// 10:35.
func TestWithdrawnRequestDoesNotUseUpThePeriod(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	h.Clock.Advance(6 * time.Hour) // 21:00 in Moscow
	buy(t, anna, cashier)
	first := lastPurchaseID(t, h)
	h.Clock.Advance(2 * time.Hour) // 23:00: queued for 09:00
	if n := runFeedbackJob(t, h); n != 1 {
		t.Fatalf("the job queued %d requests, want 1", n)
	}
	h.Clock.Advance(9*time.Hour + 30*time.Minute) // 08:30 next morning
	anna.Note("08:30: the purchase is cancelled (returned in full)")
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		_, err := h.Engine.Service.CancelPurchase(t.Context(), tx, first, 0, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(5 * time.Minute)
	anna.Note("08:35: she buys again")
	buy(t, anna, cashier)
	seen := len(anna.Sync().U.Messages())
	h.Clock.Advance(2 * time.Hour) // 10:35
	runFeedbackJob(t, h)
	h.Clock.Advance(time.Minute)
	h.Settle()
	asked := 0
	for _, m := range anna.Sync().U.Messages()[seen:] {
		if strings.Contains(m.Text, "How was your visit") {
			asked++
		}
	}
	if asked != 1 {
		t.Fatalf("Anna was asked %d times about her 08:35 visit, want 1 (the withdrawn request never reached her):\n%s",
			asked, anna.Transcript())
	}
}
