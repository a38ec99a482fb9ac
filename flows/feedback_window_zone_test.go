package flows_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestFeedbackRequestKeepsTheWindowAtTheCustomersClock: Anna joined at
// River (Tashkent, two hours ahead of Moscow) and chose evenings, 18:00–21:00
// "your store's time": River's. She buys at Central (Moscow) at 17:30
// Moscow; two hours later is 19:30 Moscow, 21:30 at her clock, past her
// window: the request waits for 18:00 Tashkent the next day, as a nudge
// would (nudges read the window at the customer's store's clock), not go
// out at 21:30 of her evening.
func TestFeedbackRequestKeepsTheWindowAtTheCustomersClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en") // Sunday 22 November, 15:00 in Moscow
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinVia(t, h, 151, "Anna", "s_river")
	anna.Send("/settings").Tap("🌆 Evening 18:00–21:00")
	h.Clock.Advance(150 * time.Minute) // 17:30 in Moscow, 19:30 in Tashkent
	buy(t, anna, cashier)
	h.Clock.Advance(2 * time.Hour) // 19:30 in Moscow, 21:30 in Tashkent
	if n := runFeedbackJob(t, h); n != 1 {
		t.Fatalf("the job queued %d requests, want 1", n)
	}
	var due time.Time
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT due_at FROM feedback_requests`).Scan(&due); err != nil {
		t.Fatal(err)
	}
	tashkent, _ := time.LoadLocation("Asia/Tashkent")
	if want := time.Date(2026, 11, 23, 18, 0, 0, 0, tashkent); !due.Equal(want) {
		t.Fatalf("request due %s at Anna's clock, want %s (her window is 18:00–21:00 at River's time)", due.In(tashkent), want)
	}
	if got(anna.Sync(), "How was your visit to") != 0 {
		t.Fatal("asked outside the customer's window")
	}
}
