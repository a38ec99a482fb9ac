package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// cardWithWelcome makes a customer (Telegram id tgID) with a card holding
// a 100-point welcome bonus that expires 30 days after t0.
func cardWithWelcome(t *testing.T, db *postgres.DB, tgID int64, t0 time.Time) *domain.Card {
	t.Helper()
	ctx := t.Context()
	var card *domain.Card
	if err := db.Update(ctx, func(tx domain.Tx) error {
		c := &domain.Customer{TelegramID: tgID, ChatID: tgID, FirstName: "A", JoinedAt: t0}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		var err error
		if card, err = tx.CreateCard(ctx, c.ID, domain.NewCardNumber()); err != nil {
			return err
		}
		_, _, err = domain.Credit(ctx, tx, domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerWelcome, Amount: 100,
			IdempotencyKey: domain.WelcomeBonusKey(c.ID), ExpiresAt: t0.AddDate(0, 0, 30)}, domain.LotPromo)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return card
}

// TestConcurrentCancelsReverseOnce: a POS retrying a cancel, or two
// managers tapping Cancel at once, reverse the purchase once. The lots
// then still add up to the balance, only one caller is told the
// cancellation is new (so the customer hears of it once), and the welcome
// bonus still expires without "insufficient points".
func TestConcurrentCancelsReverseOnce(t *testing.T) {
	const n = 8
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	db := poolDB(t, n+2, t0) // the cancels, the lock holder and the watcher
	ctx := t.Context()
	card := cardWithWelcome(t, db, 1, t0)
	p := domain.DefaultProgram()
	buy := func(key string) *domain.PurchaseResult {
		t.Helper()
		var res *domain.PurchaseResult
		if err := db.Update(ctx, func(tx domain.Tx) error {
			var err error
			res, err = domain.RecordPurchase(ctx, tx, &p, domain.PurchaseRequest{CardID: card.ID, ShopID: 1,
				Source: domain.SourcePOS, IdempotencyKey: key, Amount: 100000, Currency: "RUB", Redeem: 30}, t0)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if res.Purchase.Redeemed != 30 || res.Purchase.Earned == 0 {
			t.Fatalf("purchase %+v: want 30 points paid and some earned", res.Purchase)
		}
		return res
	}
	// Two purchases pay 30 welcome points each; the second is cancelled.
	// (A lot restored twice then stays within its amount: nothing but the
	// sums shows the damage.)
	first, pur := buy("k1"), buy("k2")
	want := 100 - 30 + first.Purchase.Earned

	// The cancels queue up behind a lock on the card, as they would behind
	// a purchase in progress, so they truly overlap.
	release := pgtest.HoldLock(t, db.Pool(), `SELECT 1 FROM cards WHERE id = $1 FOR UPDATE`, card.ID)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Update(ctx, func(tx domain.Tx) error {
				res, err := domain.CancelPurchase(ctx, tx, &p, pur.Purchase.PublicID, 0, 0, t0.Add(time.Hour), nil)
				if err == nil && res.Created {
					mu.Lock()
					created++
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Errorf("cancel: %v", err)
			}
		}()
	}
	release(n)
	wg.Wait()
	if created != 1 {
		t.Errorf("%d cancels reported a new reversal, want 1 (the customer is told once)", created)
	}
	bal, lots, ledger := pointSums(t, db, card.ID)
	if bal != want || lots != bal || ledger != bal {
		t.Fatalf("after %d cancels: balance %d, lots %d, ledger %d; want %d each", n, bal, lots, ledger, want)
	}
	if got := count(t, db, `SELECT count(*) FROM ledger WHERE kind = 'reversal'`); got != 2 {
		t.Errorf("%d reversal rows, want 2 (earned taken back, paid returned)", got)
	}

	// What is left of the welcome bonus expires; the earned points stay.
	rep, err := domain.ExpirePoints(ctx, db, &p, t0.AddDate(0, 0, 31))
	if err != nil || rep.Cards != 1 || rep.Points != 70 || len(rep.Failed) > 0 {
		t.Fatalf("expiry after the cancels: %+v, %v; want 70 points of 1 card, no failure", rep, err)
	}
	if bal, lots, _ := pointSums(t, db, card.ID); bal != first.Purchase.Earned || lots != bal {
		t.Errorf("after expiry: balance %d, lots %d; want %d each", bal, lots, first.Purchase.Earned)
	}
}

// poolDB opens a test database with room for conns connections, its
// clock stopped at now, and one store.
func poolDB(t *testing.T, conns int32, now time.Time) *postgres.DB {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = conns
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	db := postgres.New(pool, postgres.WithClock(func() time.Time { return now }))
	if err := db.SyncStores(t.Context(), []domain.StoreConfig{{Code: "a", Name: "A", TimeZone: "UTC"}}); err != nil {
		t.Fatal(err)
	}
	return db
}

// pointSums reads a card's balance, the points its lots hold and the sum
// of its ledger: three figures that must always agree.
func pointSums(t *testing.T, db *postgres.DB, cardID int64) (balance, lots, ledger int64) {
	t.Helper()
	err := db.Pool().QueryRow(t.Context(), `SELECT
		(SELECT balance FROM cards WHERE id = $1),
		(SELECT coalesce(sum(remaining), 0)::bigint FROM point_lots WHERE card_id = $1),
		(SELECT coalesce(sum(amount), 0)::bigint FROM ledger WHERE card_id = $1)`, cardID).Scan(&balance, &lots, &ledger)
	if err != nil {
		t.Fatal(err)
	}
	return balance, lots, ledger
}

// TestServiceKeepsCashiersToTheirOwnRecentPurchases: the service, not
// only the chat, refuses a cashier's cancel of another cashier's
// purchase or of their own past the program's minutes.
func TestServiceKeepsCashiersToTheirOwnRecentPurchases(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "A", Name: "Shop A", TimeZone: "UTC"}}); err != nil {
		t.Fatal(err)
	}
	var shop *domain.Shop
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		shop, err = tx.FindShopByCode(ctx, "A")
		return err
	})
	boris := addStaff(t, db, 901, domain.RoleCashier, shop.ID)
	vlad := addStaff(t, db, 902, domain.RoleCashier, shop.ID)
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram(), Feedback: domain.DefaultFeedback()}, nil, nil, clock.Now)
	card := cardWithWelcome(t, db, 1, clock.Now())
	buy := func(key string) string {
		var id string
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			res, err := svc.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: card.ID, ShopID: shop.ID, StaffID: boris.ID,
				Source: domain.SourceBot, IdempotencyKey: key, Amount: 45000, Currency: "RUB"})
			if err == nil {
				id = res.Purchase.PublicID
			}
			return err
		})
		return id
	}
	cancel := func(id string, by *domain.Staff) error {
		return db.Update(ctx, func(tx domain.Tx) error {
			_, err := svc.CancelPurchase(ctx, tx, id, shop.ID, by.ID)
			return err
		})
	}
	var v *domain.ValidationError
	first := buy("k1")
	clock.set(clock.Now().Add(5 * time.Minute))
	if err := cancel(first, vlad); !errors.As(err, &v) {
		t.Fatalf("another cashier's cancel: %v", err)
	}
	if err := cancel(first, boris); err != nil {
		t.Fatalf("the cashier's own cancel within the minutes: %v", err)
	}
	second := buy("k2")
	clock.set(clock.Now().Add(11 * time.Minute))
	if err := cancel(second, boris); !errors.As(err, &v) {
		t.Fatalf("the cashier's own cancel past the minutes: %v", err)
	}
}
