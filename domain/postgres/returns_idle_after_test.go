package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestReturnOfTheLastPurchaseKeepsPointsGivenBack: a return of all of the
// card's only recent purchase cancels it, so the card's last purchase
// standing is an old one and the card is idle from that moment: the
// points paid with it, given back (and their worth kept from the
// refund), must not be written off at the next read.
func TestReturnOfTheLastPurchaseKeepsPointsGivenBack(t *testing.T) {
	t.Parallel()
	f := newReturnsFixture(t)
	db, clock, card, prog, svc, shop, buy := f.db, f.clock, f.card, f.prog, f.svc, f.shop, f.buy
	buy("a", 100_000, 0) // earns 30 regular points
	clock.Advance(300 * 24 * time.Hour)
	b := buy("b", 10_000, 30)           // pays 70.00 and A's 30 points, earns 2
	clock.Advance(100 * 24 * time.Hour) // B 100 days ago: not idle; A 400 days ago
	var res *domain.ReturnResult
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		res, err = svc.ReturnPurchase(ctx, tx, domain.ReturnRequest{PurchaseID: b.Purchase.PublicID, ShopID: shop.ID,
			Source: "pos", IdempotencyKey: "r1", RequestHash: "h", Amount: 10_000})
		return err
	})
	if r := res.Return; r.Given != 30 || r.Refund != 7_000 {
		t.Fatalf("return of B: given %d, refund %d; want 30, 7000", r.Given, r.Refund)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		c, err := domain.CardOf(ctx, tx, &prog, card.CustomerID, clock.Now())
		if err == nil && c.Balance != res.Balance {
			t.Errorf("the card holds %d points at its next read, the return said %d: the 30 given back "+
				"(30.00 kept from the refund) were written off once the return cancelled the last purchase", c.Balance, res.Balance)
		}
		return err
	})
}

// TestCancelOfTheLastPurchaseKeepsPointsGivenBack: as a full return, a
// cancel of the card's only recent purchase may leave the card idle (its
// purchase before is a year old by now): the points it paid with, which
// the customer is told are back, last from now rather than going at the
// next read.
func TestCancelOfTheLastPurchaseKeepsPointsGivenBack(t *testing.T) {
	t.Parallel()
	f := newReturnsFixture(t)
	db, clock, card, prog, svc, buy := f.db, f.clock, f.card, f.prog, f.svc, f.buy
	buy("a", 100_000, 0) // earns 30 regular points
	clock.Advance(364*24*time.Hour + 23*time.Hour)
	b := buy("b", 10_000, 30) // pays with A's 30 points an hour before they would go
	clock.Advance(2 * time.Hour)
	var res *domain.PurchaseResult
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		res, err = svc.CancelPurchase(ctx, tx, b.Purchase.PublicID, 0, 0)
		return err
	})
	clock.Advance(24 * time.Hour)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		c, err := domain.CardOf(ctx, tx, &prog, card.CustomerID, clock.Now())
		if err == nil && c.Balance != res.Balance {
			t.Errorf("the card holds %d points a day after the cancel, the cancel said %d: the 30 given back went", c.Balance, res.Balance)
		}
		return err
	})
}
