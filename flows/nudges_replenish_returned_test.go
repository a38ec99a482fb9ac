package flows_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestReplenishReminderWaitingIsWithdrawnWhenTheBagComesBack: Anna's
// coffee beans (bought at 20:00) fall due for "time to restock" on day 12
// at 23:00, so the reminder waits for 10:00. At 09:30 she brings the bag
// back whole at the register: at 10:00 she must not be asked to stock up
// on beans she returned.
func TestReplenishReminderWaitingIsWithdrawnWhenTheBagComesBack(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withReplenish)
	anna := joinConsenting(t, h, 101, "Anna")
	h.Clock.Advance(5 * time.Hour) // 20:00 in Moscow
	posBuy(t, h, 101, "coffee_beans")
	_, card := customer(t, h, 101)
	var bag domain.Purchase
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT public_id, amount FROM purchases WHERE card_id = $1`, card.ID).
		Scan(&bag.PublicID, &bag.Amount); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(12*24*time.Hour + 3*time.Hour) // day 12, 23:00
	runNudges(t, h)
	if nudgeRows(t, h, "replenish", "sent") != 1 {
		t.Fatalf("the beans reminder was not recorded at 23:00:\n%s", anna.Transcript())
	}
	h.Clock.Advance(10*time.Hour + 30*time.Minute) // 09:30
	anna.Note("09:30: she returns the whole bag at the register")
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		_, err := h.Engine.Service.ReturnPurchase(t.Context(), tx, domain.ReturnRequest{PurchaseID: bag.PublicID,
			Source: domain.SourcePOS, IdempotencyKey: "ret-1", RequestHash: "h", Amount: bag.Amount})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	h.Clock.Advance(time.Hour) // 10:30
	h.Settle()
	if got(anna.Sync(), "coffee beans must be running low") != 0 {
		t.Fatalf("the restock reminder went after she returned the beans:\n%s", anna.Transcript())
	}
	if n := nudgeRows(t, h, "replenish", "sent"); n != 0 {
		t.Fatalf("%d restock reminders still recorded as sent for a returned purchase", n)
	}
}
