package postgres_test

import (
	"context"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestMoveLeavesAMessageASenderHolds: a message for the old chat that a
// sender holds now (its lease, wall-clock time as the sender sets it
// with now(), still running) is on its way and stays where it was
// going, whatever the business clock says (the fixture's is in 2031,
// ahead of the wall clock).
func TestMoveLeavesAMessageASenderHolds(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	c, _ := addMember(t, db, clock, 1)
	if _, err := db.Pool().Exec(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, claimed_until, attempts, created_at)
		VALUES (1, '{"chat_id": 1, "text": "your points"}', $1, now() + interval '30 seconds', 1, $1)`, clock.Now()); err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.MoveCustomerAccount(ctx, c.ID, 11, 11)
	})
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE chat_id = 1`); n != 1 {
		t.Errorf("the message a sender holds for the old chat was rewritten to the new one under it (%d left), want it left alone", n)
	}
}
