package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestExpiryGoesPastAFailingCard: a card whose points cannot expire (here
// its lots hold 30 points more than its balance, the damage two racing
// cancels used to leave) is rolled back alone and reported; the cards
// after it still expire.
func TestExpiryGoesPastAFailingCard(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	db := poolDB(t, 4, t0)
	ctx := t.Context()
	var cards []*domain.Card
	for i := range 3 {
		cards = append(cards, cardWithWelcome(t, db, int64(i+1), t0))
	}
	bad := cards[1]
	if _, err := db.Pool().Exec(ctx, `UPDATE point_lots SET amount = amount + 30, remaining = remaining + 30
		WHERE card_id = $1`, bad.ID); err != nil {
		t.Fatal(err)
	}
	p := domain.DefaultProgram()
	rep, err := domain.ExpirePoints(ctx, db, &p, t0.AddDate(0, 0, 31))
	if err != nil {
		t.Fatalf("the run stopped: %v", err)
	}
	if rep.Cards != 2 || rep.Points != 200 {
		t.Errorf("expired %d points on %d cards, want 200 on the 2 sound ones", rep.Points, rep.Cards)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].CardID != bad.ID || !errors.Is(rep.Failed[0].Err, domain.ErrInsufficientPoints) {
		t.Errorf("failed cards %v, want card %d with insufficient points", rep.Failed, bad.ID)
	}
	for _, c := range cards {
		bal, lots, _ := pointSums(t, db, c.ID)
		switch {
		case c.ID == bad.ID && (bal != 100 || lots != 130):
			t.Errorf("the failing card changed: balance %d, lots %d; want it rolled back (100, 130)", bal, lots)
		case c.ID != bad.ID && (bal != 0 || lots != 0):
			t.Errorf("card %d: balance %d, lots %d after expiry; want 0", c.ID, bal, lots)
		}
	}
}
