package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestOpenGiftNotHiddenByLapsedDiscounts: a welcome gift with no end,
// then ten restock discounts let go: the register still lists the gift,
// and the POS honours it.
func TestOpenGiftNotHiddenByLapsedDiscounts(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "a")
	c, _ := addMember(t, db, clock, 1)
	gift := domain.NudgeRule{ID: "welcome", Kind: domain.NudgeWelcome, Enabled: true, Window: 7, AttributionDays: 7,
		Offers: []domain.NudgeOffer{{Type: domain.OfferGift}}}
	disc := domain.NudgeRule{ID: "replenish", Kind: domain.NudgeReplenish, Enabled: true, Marketing: true, Window: 3,
		AttributionDays: 7, Offers: []domain.NudgeOffer{{Type: domain.OfferDiscount, Percent: 10, Days: 7}}}
	svc := nudgeService(clock, gift, disc)
	add := func(id int64, rule, offer, occ string, at time.Time) {
		t.Helper()
		if _, err := db.Pool().Exec(t.Context(), `INSERT INTO nudges (id, rule, customer_id, occurrence, marketing, outcome,
			reason, due_at, send_at, attribute_until, points, offer) VALUES ($1, $2, $3, $4, false, 'sent', '', $5, $5, $5, 0, $6)`,
			id, rule, c.ID, occ, at, offer); err != nil {
			t.Fatal(err)
		}
	}
	start := clock.Now()
	add(1, "welcome", "gift", "", start)
	for i := range 10 { // a restock reminder with a week's discount every fortnight, none used
		add(int64(10+i), "replenish", "discount", fmt.Sprint(i), start.AddDate(0, 0, 14*(i+1)))
	}
	clock.Advance(160 * 24 * time.Hour)
	var open []domain.OpenOffer
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		open, err = svc.OpenOffers(ctx, tx, c)
		return err
	})
	if len(open) != 1 || open[0].NudgeID != 1 {
		t.Errorf("open offers at the register: %+v, want the welcome gift (no. 1)", open)
	}
	if err := txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		return svc.UseOffer(ctx, tx, nil, shop.ID, c, 1)
	}); err != nil {
		t.Errorf("the POS honours the welcome gift: %v", err)
	}
}
