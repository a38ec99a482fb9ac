package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// TestReturnDoesNotTakeBackPointsPastTheirDate: a return takes back the
// points its purchase earned from what the card holds at the return's
// time. Points whose date has passed (the nightly job has not written
// them off yet) are worth nothing: taking them instead of keeping the
// spent points' worth from the refund pays the customer money for
// points they no longer have.
func TestReturnDoesNotTakeBackPointsPastTheirDate(t *testing.T) {
	t.Parallel()
	f := newReturnsFixture(t)
	db, clock, card, prog, svc, shop, buy := f.db, f.clock, f.card, f.prog, f.svc, f.shop, f.buy
	a := buy("a", 100_000, 0) // 1,000.00 earns 30
	if a.Purchase.Earned != 30 {
		t.Fatalf("purchase A earned %d, want 30", a.Purchase.Earned)
	}
	b := buy("b", 10_000, 30) // spends A's 30 points; pays 70.00, earns 2
	if b.Balance != 2 {
		t.Fatalf("balance after B %d, want 2", b.Balance)
	}
	// A gift of 50 promo points good for an hour, then two hours pass:
	// dead, though still on the lot until the nightly job runs.
	credit(t, db, card.ID, 50, domain.LotPromo, clock.Now().Add(time.Hour))
	clock.Advance(2 * time.Hour)

	var res *domain.ReturnResult
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		res, err = svc.ReturnPurchase(ctx, tx, domain.ReturnRequest{PurchaseID: a.Purchase.PublicID, ShopID: shop.ID,
			Source: "pos", IdempotencyKey: "r1", RequestHash: "h", Amount: 100_000})
		return err
	})
	// The card holds 2 live points: 2 are taken, 28 are short and kept
	// from the refund (28 × 1.00).
	if r := res.Return; r.Taken != 30 || r.Short != 28 || r.Refund != 100_000-2_800 {
		t.Errorf("return of A: taken %d, short %d, refund %d; want 30, 28, %d", r.Taken, r.Short, r.Refund, 100_000-2_800)
	}
	// What the card shows once read (the dead points written off).
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		c, err := domain.CardOf(ctx, tx, &prog, card.CustomerID, clock.Now())
		if err == nil && c.Balance != 0 {
			t.Errorf("balance after the return %d, want 0", c.Balance)
		}
		return err
	})
}

// TestReturnGivesBackPointsThatLastOnAnIdleCard: a return of a purchase
// paid with regular points, on a card idle past the regular points'
// period, gives them back (the refund is less by their worth): they must
// not be written off at the very next read of the card, or the customer
// has neither the points nor the money they stood for.
func TestReturnGivesBackPointsThatLastOnAnIdleCard(t *testing.T) {
	t.Parallel()
	f := newReturnsFixture(t)
	db, clock, card, prog, svc, shop, buy := f.db, f.clock, f.card, f.prog, f.svc, f.shop, f.buy
	buy("a", 100_000, 0) // earns 30 regular points
	clock.Advance(24 * time.Hour)
	b := buy("b", 10_000, 30)           // pays 70.00 and 30 points, earns 2
	clock.Advance(400 * 24 * time.Hour) // idle: the 2 points are written off
	var res *domain.ReturnResult
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		res, err = svc.ReturnPurchase(ctx, tx, domain.ReturnRequest{PurchaseID: b.Purchase.PublicID, ShopID: shop.ID,
			Source: "pos", IdempotencyKey: "r1", RequestHash: "h", Amount: 10_000})
		return err
	})
	r := res.Return
	// 30 points given back, so 70.00 refunded of 100.00.
	if r.Given != 30 || r.Refund != 7_000 {
		t.Fatalf("return of B: given %d, refund %d; want 30, 7000", r.Given, r.Refund)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		c, err := domain.CardOf(ctx, tx, &prog, card.CustomerID, clock.Now())
		if err == nil && c.Balance != res.Balance {
			t.Errorf("the card holds %d points at its next read, the return said %d: the 30 given back "+
				"(30.00 kept from the refund for them) were written off at once", c.Balance, res.Balance)
		}
		return err
	})
}

// returnsFixture is a store, a member's card and the service over them
// (the default program: regular points live 365 days after the last
// purchase), with buy ringing up a purchase at the POS.
type returnsFixture struct {
	db    *postgres.DB
	clock *fakeClock
	card  *domain.Card
	prog  domain.Program
	svc   *domain.Service
	shop  *domain.Shop
	buy   func(key string, amount, redeem int64) *domain.PurchaseResult
}

func newReturnsFixture(t *testing.T) *returnsFixture {
	db, clock := newStore(t)
	f := &returnsFixture{db: db, clock: clock, shop: addShop(t, db, "central"), prog: domain.DefaultProgram()}
	_, f.card = addMember(t, db, clock, 100)
	f.svc = domain.NewService(&domain.Business{Name: "Test", Currency: "RUB", Program: f.prog,
		Stores: []domain.StoreConfig{{Code: "central", Name: "Shop central", TimeZone: "Europe/Moscow"}}}, nil, nil, clock.Now)
	f.buy = func(key string, amount, redeem int64) *domain.PurchaseResult {
		var res *domain.PurchaseResult
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			res, err = f.svc.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: f.card.ID, ShopID: f.shop.ID,
				Source: "pos", IdempotencyKey: key, Amount: amount, Currency: "RUB", Redeem: redeem})
			return err
		})
		return res
	}
	return f
}
