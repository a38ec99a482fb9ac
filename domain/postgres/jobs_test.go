package postgres_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestListCardsToExpire: exactly the cards holding points due to expire at
// now: an open lot past its own date, or open regular points on a card
// whose last live purchase (or, without one, its issue) is on or before
// inactiveBefore; ascending ids after afterID, at most limit.
func TestListCardsToExpire(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	shop := addShop(t, db, "main")
	now := t0.AddDate(1, 0, 0)
	inactiveBefore := now.AddDate(0, 0, -180)
	card := func(tg int64) *domain.Card {
		_, c := addMember(t, db, clock, tg)
		return c
	}
	spend := func(c *domain.Card, lot int64) {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			return tx.UseLots(ctx, []domain.LotUse{{LotID: lot, Points: 10}})
		})
	}
	lotOf := func(e domain.LedgerEntry) int64 {
		return sqlOne[int64](t, db, `SELECT id FROM point_lots WHERE ledger_id = $1`, e.ID)
	}
	buy := func(c *domain.Card, at time.Time, cancelled bool) {
		p := purchaseAt(c, shop.ID, 100, at)
		writePurchase(t, db, p, domain.PurchaseWrites{})
		if cancelled {
			inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.MarkPurchaseCancelled(ctx, p.ID, 0, at) })
		}
	}

	// The cards are issued at t0, long before inactiveBefore.
	promoPast := card(1)
	credit(t, db, promoPast.ID, 10, domain.LotPromo, now.Add(-time.Second))
	buy(promoPast, now, false)
	promoAtNow := card(2)
	credit(t, db, promoAtNow.ID, 10, domain.LotPromo, now)
	buy(promoAtNow, now, false)
	promoLater := card(3)
	credit(t, db, promoLater.ID, 10, domain.LotPromo, now.Add(time.Second))
	buy(promoLater, now, false)
	promoSpent := card(4)
	spend(promoSpent, lotOf(credit(t, db, promoSpent.ID, 10, domain.LotPromo, now.AddDate(0, 0, -1))))
	buy(promoSpent, now, false)
	regularIdle := card(5)
	credit(t, db, regularIdle.ID, 10, domain.LotRegular, time.Time{})
	buy(regularIdle, inactiveBefore, false)
	regularActive := card(6)
	credit(t, db, regularActive.ID, 10, domain.LotRegular, time.Time{})
	buy(regularActive, inactiveBefore.Add(time.Second), false)
	regularCancelled := card(7) // its only recent purchase was cancelled
	credit(t, db, regularCancelled.ID, 10, domain.LotRegular, time.Time{})
	buy(regularCancelled, now, true)
	regularNeverBought := card(8) // issued at t0
	credit(t, db, regularNeverBought.ID, 10, domain.LotRegular, time.Time{})
	regularSpent := card(9)
	spend(regularSpent, lotOf(credit(t, db, regularSpent.ID, 10, domain.LotRegular, time.Time{})))
	promoIdle := card(10) // promo points do not expire by inactivity
	credit(t, db, promoIdle.ID, 10, domain.LotPromo, time.Time{})
	card(11) // no points at all

	dueAll := []int64{promoPast.ID, promoAtNow.ID, regularIdle.ID, regularCancelled.ID, regularNeverBought.ID}
	dueByDate := []int64{promoPast.ID, promoAtNow.ID}
	for _, tc := range []struct {
		name           string
		inactiveBefore time.Time
		after          int64
		limit          int
		want           []int64
	}{
		{"all due", inactiveBefore, 0, 100, dueAll},
		{"a page", inactiveBefore, 0, 2, dueAll[:2]},
		{"the next page", inactiveBefore, dueAll[1], 2, dueAll[2:4]},
		{"the last page", inactiveBefore, dueAll[3], 2, dueAll[4:]},
		{"past the end", inactiveBefore, dueAll[4], 2, nil},
		{"no inactivity expiry", time.Time{}, 0, 100, dueByDate},
	} {
		got, err := db.ListCardsToExpire(t.Context(), now, tc.inactiveBefore, tc.after, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: cards %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestTryLock: while one holder runs a job, a second TryLock of the same
// name runs nothing and reports false; another name runs; once the
// holder returns, the lock is free again. fn's error comes back.
func TestTryLock(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	errJob := errors.New("job failed")
	ran, err := db.TryLock(ctx, "expire", func(ctx context.Context) error {
		again, err := db.TryLock(ctx, "expire", func(context.Context) error {
			t.Error("a second holder ran the job")
			return nil
		})
		if err != nil || again {
			t.Errorf("second TryLock: ran %v, err %v; want false, nil", again, err)
		}
		other, err := db.TryLock(ctx, "nudges", func(context.Context) error { return nil })
		if err != nil || !other {
			t.Errorf("TryLock of another job: ran %v, err %v; want true, nil", other, err)
		}
		return errJob
	})
	if !ran || !errors.Is(err, errJob) {
		t.Errorf("first TryLock: ran %v, err %v; want true and the job's error", ran, err)
	}
	for range 2 { // released after an error, and after a success
		ran, err = db.TryLock(ctx, "expire", func(context.Context) error { return nil })
		if !ran || err != nil {
			t.Errorf("TryLock after the holder returned: ran %v, err %v; want true, nil", ran, err)
		}
	}
}
