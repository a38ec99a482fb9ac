package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestOwnCancelsLeaveFullReturnsOut: /stats staff counts a cashier's
// own cancel, not the full return of a purchase they rang up that they
// took days later (a return cancels the purchase too).
func TestOwnCancelsLeaveFullReturnsOut(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "central")
	boris := addStaff(t, db, 900, domain.RoleCashier, shop.ID)
	_, card := addMember(t, db, clock, 100)
	prog := domain.DefaultProgram()
	prog.CashierReturns = true
	svc := domain.NewService(&domain.Business{Name: "Test", Currency: "RUB", Program: prog,
		Stores: []domain.StoreConfig{{Code: "central", Name: "Shop central", TimeZone: "Europe/Moscow"}}}, nil, nil, clock.Now)
	buy := func(key string) string {
		var res *domain.PurchaseResult
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			res, err = svc.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: card.ID, ShopID: shop.ID, StaffID: boris.ID,
				Source: "bot", IdempotencyKey: key, Amount: 100_000, Currency: "RUB"})
			return err
		})
		return res.Purchase.PublicID
	}
	returned := buy("k1")
	clock.Advance(72 * time.Hour)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.ReturnPurchase(ctx, tx, domain.ReturnRequest{PurchaseID: returned, By: boris, Source: "bot",
			IdempotencyKey: "r1", Amount: 100_000})
		return err
	})
	cancelled := buy("k2")
	clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.CancelPurchase(ctx, tx, cancelled, shop.ID, boris.ID) // his own, within the minutes allowed
		return err
	})
	ownCancels := func() int {
		var rows []domain.StaffKPI
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			rows, err = svc.StaffKPIs(ctx, tx, domain.Period{From: clock.Now().AddDate(0, 0, -30), To: clock.Now().Add(time.Hour)}, 0)
			return err
		})
		for _, r := range rows {
			if r.StaffID == boris.ID {
				return r.OwnCancels
			}
		}
		return -1
	}
	if n := ownCancels(); n != 1 {
		t.Fatalf("own cancels %d after a full return and a cancel, want the cancel alone", n)
	}
}
