package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestGeneralFeedbackStorage: a rating of a store in general is stored
// with no purchase and no cashier and read back as written; the newest
// one since a time is found per customer and store; a purchase still has
// one rating at most, and a general rating cannot name a cashier.
func TestGeneralFeedbackStorage(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	a, b := addShop(t, db, "a"), addShop(t, db, "b")
	cashier := addStaff(t, db, 900, domain.RoleCashier, a.ID)
	c, card := addMember(t, db, clock, 1)
	first := &domain.Feedback{CustomerID: c.ID, ShopID: a.ID, Stars: 2, Comment: "noisy", CreatedAt: t0, UpdatedAt: t0}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SaveFeedback(ctx, first) })
	if n := sqlOne[int](t, db, `SELECT count(*) FROM feedback WHERE purchase_id IS NULL AND staff_id IS NULL`); n != 1 {
		t.Fatalf("%d general rows, want 1 with no purchase and no cashier", n)
	}
	later := t0.Add(25 * time.Hour)
	second := &domain.Feedback{CustomerID: c.ID, ShopID: a.ID, Stars: 5, CreatedAt: later, UpdatedAt: later}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SaveFeedback(ctx, second) })

	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.FindGeneralFeedback(ctx, c.ID, a.ID, t0)
		if err != nil {
			return err
		}
		checkEqual(t, "newest general rating of a", *got, *second)
		got, err = tx.FindGeneralFeedback(ctx, c.ID, a.ID, t0.Add(-time.Hour))
		if err != nil {
			return err
		}
		if got.ID != second.ID {
			t.Errorf("found rating %d, want the newest %d", got.ID, second.ID)
		}
		_, err = tx.FindGeneralFeedback(ctx, c.ID, a.ID, later.Add(time.Second))
		checkErr(t, "none since", err, domain.ErrNotFound)
		_, err = tx.FindGeneralFeedback(ctx, c.ID, b.ID, t0)
		checkErr(t, "another store", err, domain.ErrNotFound)
		all, err := tx.ListCustomerFeedback(ctx, c.ID)
		if err != nil {
			return err
		}
		checkEqual(t, "the customer's ratings", all, []domain.Feedback{*first, *second})
		return nil
	})

	p := purchaseAt(card, a.ID, 100000, t0)
	p.StaffID, p.Source = cashier.ID, domain.SourceBot
	writePurchase(t, db, p, domain.PurchaseWrites{})
	visit := func() *domain.Feedback {
		return &domain.Feedback{PurchaseID: p.ID, CustomerID: c.ID, ShopID: a.ID, StaffID: cashier.ID, Stars: 4,
			CreatedAt: t0, UpdatedAt: t0}
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SaveFeedback(ctx, visit()) })
	err := txErr(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SaveFeedback(ctx, visit()) })
	checkErr(t, "a second rating of a purchase", err, domain.ErrConflict)
	withCashier := &domain.Feedback{CustomerID: c.ID, ShopID: a.ID, StaffID: cashier.ID, Stars: 3, CreatedAt: t0, UpdatedAt: t0}
	if err := txErr(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SaveFeedback(ctx, withCashier) }); err == nil {
		t.Error("a general rating naming a cashier was stored")
	}
}

// TestFeedbackStatsKeepGeneralRatingsApart: the digest's query counts a
// store's general ratings on their own line, after its visits, and not
// with the visits of the POS (which have no cashier either).
func TestFeedbackStatsKeepGeneralRatingsApart(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	a, b := addShop(t, db, "a"), addShop(t, db, "b")
	c, card := addMember(t, db, clock, 1)
	p := purchaseAt(card, a.ID, 100000, t0)
	writePurchase(t, db, p, domain.PurchaseWrites{})
	for _, f := range []domain.Feedback{
		{PurchaseID: p.ID, ShopID: a.ID, Stars: 4},
		{ShopID: a.ID, Stars: 2},
		{ShopID: a.ID, Stars: 3},
		{ShopID: b.ID, Stars: 5},
	} {
		f.CustomerID, f.CreatedAt, f.UpdatedAt = c.ID, t0, t0
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SaveFeedback(ctx, &f) })
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.FeedbackStats(ctx, t0, t0.Add(time.Hour))
		if err != nil {
			return err
		}
		checkEqual(t, "stats", got, []domain.FeedbackStat{
			{ShopID: a.ID, Count: 1, Stars: 4},
			{ShopID: a.ID, General: true, Count: 2, Stars: 5},
			{ShopID: b.ID, General: true, Count: 1, Stars: 5},
		})
		return nil
	})
}

// TestRateStoreChangesWithinTheWindowOnly: Service.RateStore changes the
// customer's general rating of a store within FeedbackChangeWindow and
// starts a new one after it; each change records FeedbackGiven with the
// old stars and no purchase; a store not in the config, a non-member and
// a comment after the window are refused.
func TestRateStoreChangesWithinTheWindowOnly(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	addShop(t, db, "a")
	addShop(t, db, "gone") // in the database, no longer in the config
	c, _ := addMember(t, db, clock, 1)
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram(), Feedback: domain.DefaultFeedback(),
		Stores: []domain.StoreConfig{{Code: "a", Name: "Shop a", TimeZone: "Europe/Moscow"}}}, nil, nil, clock.Now)
	var events []domain.FeedbackGiven
	svc.On(func(ctx context.Context, tx domain.Tx, ev domain.Event) error {
		if g, ok := ev.(domain.FeedbackGiven); ok {
			events = append(events, g)
		}
		return nil
	})
	rate := func(stars int) (f *domain.Feedback) {
		t.Helper()
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			f, err = svc.RateStore(ctx, tx, c, "a", stars)
			return err
		})
		return f
	}
	first := rate(4)
	clock.Advance(23 * time.Hour)
	if f := rate(2); f.ID != first.ID || f.Stars != 2 {
		t.Fatalf("a change within the day gave %+v, want rating %d with 2 stars", f, first.ID)
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.CommentStore(ctx, tx, c, "a", "too noisy")
		return err
	})
	clock.Advance(2 * time.Hour)
	err := txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := svc.CommentStore(ctx, tx, c, "a", "a day late")
		return err
	})
	checkErr(t, "a comment after the window", err, domain.ErrFeedbackFinal)
	if f := rate(5); f.ID == first.ID {
		t.Fatal("a rating after the window changed the first")
	}
	if got := sqlOne[string](t, db, `SELECT string_agg(stars || ':' || comment, ',' ORDER BY id) FROM feedback`); got != "2:too noisy,5:" {
		t.Fatalf("ratings %q, want the changed first and a new one", got)
	}
	if len(events) != 4 || events[1].Previous != 4 || !events[2].Commented || events[3].Previous != 0 {
		t.Fatalf("events %+v", events)
	}
	for _, ev := range events {
		if ev.Purchase != nil || !ev.Feedback.General() {
			t.Fatalf("a general rating's event names a purchase: %+v", ev)
		}
	}
	for _, tc := range []struct {
		what string
		c    *domain.Customer
		code string
	}{
		{"a store no longer in the config", c, "gone"},
		{"an unknown store", c, "nowhere"},
		{"not a member", &domain.Customer{ID: c.ID}, "a"},
	} {
		err := txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
			_, err := svc.RateStore(ctx, tx, tc.c, tc.code, 3)
			return err
		})
		checkErr(t, tc.what, err, domain.ErrNotFound)
	}
}
