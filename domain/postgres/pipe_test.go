package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// tripCounter counts the round trips a connection makes: every Exec,
// Query and QueryRow, and every batch.
type tripCounter struct {
	mu    sync.Mutex
	trips int
	sql   []string
}

func (c *tripCounter) add(sql string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trips++
	c.sql = append(c.sql, strings.Join(strings.Fields(sql), " "))
}

func (c *tripCounter) reset() (int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, sql := c.trips, c.sql
	c.trips, c.sql = 0, nil
	return n, sql
}

func (c *tripCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.add(d.SQL)
	return ctx
}
func (c *tripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *tripCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.add("batch")
	return ctx
}
func (c *tripCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *tripCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// tracedDB opens a test database whose connection counts round trips.
func tracedDB(t *testing.T) (*postgres.DB, *tripCounter) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	c := &tripCounter{}
	cfg.ConnConfig.Tracer = c
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return postgres.New(pool), c
}

func count(t *testing.T, db *postgres.DB, sql string) int {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPipeKeepsOrderAndAtomicity(t *testing.T) {
	db, trips := tracedDB(t)
	ctx := t.Context()
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE t (v int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	trips.reset()

	// Deferred writes run before the next statement, in order: the query
	// sees them, and the whole goes out with BEGIN in one round trip.
	err := db.UpdatePipe(ctx, func(p *postgres.Pipe) error {
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO t VALUES (1)`)
		b.Queue(`INSERT INTO t VALUES (2)`)
		p.Defer(b)
		var n int
		if err := p.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			return err
		}
		if n != 2 {
			t.Errorf("the query saw %d rows, want the 2 deferred ones", n)
		}
		b = &pgx.Batch{}
		b.Queue(`INSERT INTO t VALUES (3)`)
		p.Defer(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, sql := trips.reset(); n != 2 {
		t.Errorf("%d round trips, want 2 (BEGIN+writes+query, write+COMMIT): %q", n, sql)
	}
	if n := count(t, db, `SELECT count(*) FROM t`); n != 3 {
		t.Errorf("%d rows committed, want 3", n)
	}

	// An error from fn rolls back everything, deferred writes included,
	// whether or not they were sent.
	errStop := errors.New("stop")
	for _, sent := range []bool{false, true} {
		err = db.UpdatePipe(ctx, func(p *postgres.Pipe) error {
			if _, err := p.Exec(ctx, `INSERT INTO t VALUES (10)`); err != nil {
				return err
			}
			b := &pgx.Batch{}
			b.Queue(`INSERT INTO t VALUES (11)`)
			p.Defer(b)
			if sent {
				if _, err := p.Exec(ctx, `SELECT 1`); err != nil {
					return err
				}
			}
			return errStop
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("err = %v, want fn's error", err)
		}
		if n := count(t, db, `SELECT count(*) FROM t`); n != 3 {
			t.Errorf("sent=%v: %d rows after a failed transaction, want the 3 from before", sent, n)
		}
	}

	// A transaction that runs nothing costs nothing.
	trips.reset()
	if err := db.UpdatePipe(ctx, func(*postgres.Pipe) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n, sql := trips.reset(); n != 0 {
		t.Errorf("an empty transaction made %d round trips: %q", n, sql)
	}
}

func TestPipeDeferredErrorIsReportedAndMapped(t *testing.T) {
	db, _ := tracedDB(t)
	ctx := t.Context()
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE t (v int PRIMARY KEY); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	dup := func(p *postgres.Pipe) {
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO t VALUES (5)`)
		b.Queue(`INSERT INTO t VALUES (1)`) // taken
		p.Defer(b)
	}
	// Seen at commit.
	err := db.UpdatePipe(ctx, func(p *postgres.Pipe) error {
		if _, err := p.Exec(ctx, `SELECT 1`); err != nil {
			return err
		}
		dup(p)
		return nil
	})
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("commit: err = %v, want ErrConflict", err)
	}
	// Seen by the next statement, which did not cause it.
	var queryErr error
	err = db.UpdatePipe(ctx, func(p *postgres.Pipe) error {
		dup(p)
		var n int
		queryErr = p.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n)
		return queryErr
	})
	if !errors.Is(queryErr, domain.ErrConflict) || !strings.Contains(queryErr.Error(), "earlier write") {
		t.Errorf("next statement: err = %v, want an ErrConflict marked as an earlier write's", queryErr)
	}
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("update: err = %v, want ErrConflict", err)
	}
	if n := count(t, db, `SELECT count(*) FROM t`); n != 1 {
		t.Errorf("%d rows, want 1: a failed transaction wrote", n)
	}
	// The connection is clean for the next transaction.
	if err := db.UpdatePipe(ctx, func(p *postgres.Pipe) error {
		_, err := p.Exec(ctx, `INSERT INTO t VALUES (2)`)
		return err
	}); err != nil {
		t.Fatalf("the next transaction: %v", err)
	}
}

func TestPipePanicLeavesNoTransaction(t *testing.T) {
	db, _ := tracedDB(t)
	ctx := t.Context()
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE t (v int)`); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = db.UpdatePipe(ctx, func(p *postgres.Pipe) error {
			if _, err := p.Exec(ctx, `INSERT INTO t VALUES (1)`); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if n := count(t, db, `SELECT count(*) FROM t`); n != 0 {
		t.Errorf("%d rows after a panic, want 0", n)
	}
}

// TestPurchaseIsTwoRoundTrips pins the cost the load target rests on:
// BEGIN with the checkout query (and the open lots when points are paid),
// then the purchase's writes with COMMIT.
func TestPurchaseIsTwoRoundTrips(t *testing.T) {
	db, trips := tracedDB(t)
	ctx := t.Context()
	if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "a", Name: "A", TimeZone: "UTC"}}); err != nil {
		t.Fatal(err)
	}
	var cardID int64
	if err := db.Update(ctx, func(tx domain.Tx) error {
		c := &domain.Customer{TelegramID: 1, ChatID: 1, FirstName: "A", JoinedAt: time.Now()}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		card, err := tx.CreateCard(ctx, c.ID, domain.NewCardNumber())
		cardID = card.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The customer's message is a reaction to the purchase: it must
	// ride in the purchase's round trips, not add its own.
	svc := domain.NewService(&domain.Business{Program: domain.DefaultProgram()}, nil, nil, time.Now)
	svc.On(func(ctx context.Context, tx domain.Tx, ev domain.Event) error {
		if _, ok := ev.(domain.PurchaseRecorded); !ok {
			return nil
		}
		_, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: 1, Payload: []byte(`{}`)}, false)
		return err
	})
	buy := func(key string, redeem int64) *domain.PurchaseResult {
		t.Helper()
		var res *domain.PurchaseResult
		err := db.Update(ctx, func(tx domain.Tx) error {
			var err error
			res, err = svc.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: cardID, ShopID: 1,
				Source: domain.SourcePOS, IdempotencyKey: key, Amount: 100000, Currency: "RUB", Redeem: redeem})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	buy("warm-up", 0) // prepares the statements once per connection
	trips.reset()
	res := buy("second", 0)
	if n, sql := trips.reset(); n != 2 {
		t.Errorf("an accrual purchase made %d round trips, want 2: %q", n, sql)
	}
	if res.Purchase.ID == 0 || res.Purchase.Earned == 0 {
		t.Errorf("purchase %+v: want an id and points earned", res.Purchase)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox`); n != 2 {
		t.Errorf("%d outbox rows, want the 2 messages", n)
	}
	earned := 2 * res.Purchase.Earned
	if n := count(t, db, `SELECT balance FROM cards`); int64(n) != earned {
		t.Errorf("balance %d, want %d", n, earned)
	}

	// Paying with points: the debit, the two lots it empties and the
	// record of which lots paid go in the same second round trip.
	buy("warm-up-redeem", 1)
	before := int64(count(t, db, `SELECT balance FROM cards`))
	trips.reset()
	paid := before - 1 // from every lot but the last point
	res = buy("redeem", paid)
	if n, sql := trips.reset(); n != 2 {
		t.Errorf("a purchase paying points made %d round trips, want 2: %q", n, sql)
	}
	if want := before - paid + res.Purchase.Earned; res.Purchase.Redeemed != paid || res.Balance != want {
		t.Errorf("redeemed %d, balance %d; want %d and %d", res.Purchase.Redeemed, res.Balance, paid, want)
	}
	if n := count(t, db, `SELECT balance FROM cards`); int64(n) != res.Balance {
		t.Errorf("balance in the database %d, want %d", n, res.Balance)
	}
	if n := count(t, db, `SELECT coalesce(sum(remaining), 0) FROM point_lots`); int64(n) != res.Balance {
		t.Errorf("lots hold %d points, want the balance %d", n, res.Balance)
	}
	if n := count(t, db, `SELECT coalesce(sum(u.points), 0) FROM lot_uses u JOIN purchases p ON p.id = u.purchase_id
		WHERE p.idempotency_key = 'redeem'`); int64(n) != paid {
		t.Errorf("lot uses record %d points, want %d", n, paid)
	}
}

// TestPurchaseWithBadgesIsTwoRoundTrips: with badges that a purchase may
// earn (the default ones), their facts are read with the card, so an
// accrual that earns none still costs two round trips; one that earns a
// badge writes it before COMMIT.
func TestPurchaseWithBadgesIsTwoRoundTrips(t *testing.T) {
	db, trips := tracedDB(t)
	ctx := t.Context()
	if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "a", Name: "A", TimeZone: "UTC"}}); err != nil {
		t.Fatal(err)
	}
	var cardID int64
	if err := db.Update(ctx, func(tx domain.Tx) error {
		c := &domain.Customer{TelegramID: 1, ChatID: 1, FirstName: "A", JoinedAt: time.Now()}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		card, err := tx.CreateCard(ctx, c.ID, domain.NewCardNumber())
		cardID = card.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	biz := &domain.Business{Program: domain.DefaultProgram(), Gamification: domain.DefaultGamification()}
	svc := domain.NewService(biz, nil, nil, time.Now)
	buy := func(key string) {
		t.Helper()
		if err := db.Update(ctx, func(tx domain.Tx) error {
			_, err := svc.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: cardID, ShopID: 1,
				Source: domain.SourcePOS, IdempotencyKey: key, Amount: 100000, Currency: "RUB"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	buy("first") // earns the first-purchase badge
	if n := count(t, db, `SELECT count(*) FROM badge_awards WHERE badge = 'first_purchase'`); n != 1 {
		t.Fatalf("%d first-purchase awards after the first purchase, want 1", n)
	}
	trips.reset()
	buy("second") // the same day: no new visit, nothing to earn
	if n, sql := trips.reset(); n != 2 {
		t.Errorf("an accrual with badges on made %d round trips, want 2: %q", n, sql)
	}
	if n := count(t, db, `SELECT count(*) FROM badge_awards`); n != 1 {
		t.Errorf("%d awards after a second purchase the same day, want 1", n)
	}
}

// TestWritePurchaseRefusesUnknownLots: a debit naming a lot that does not
// exist fails the whole purchase at commit, and nothing is written.
func TestWritePurchaseRefusesUnknownLots(t *testing.T) {
	db, _ := tracedDB(t)
	ctx := t.Context()
	if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "a", Name: "A", TimeZone: "UTC"}}); err != nil {
		t.Fatal(err)
	}
	var card *domain.Card
	if err := db.Update(ctx, func(tx domain.Tx) error {
		c := &domain.Customer{TelegramID: 1, ChatID: 1, FirstName: "A", JoinedAt: time.Now()}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		var err error
		if card, err = tx.CreateCard(ctx, c.ID, domain.NewCardNumber()); err != nil {
			return err
		}
		_, _, err = tx.AppendCredit(ctx, domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerAdjust, Amount: 50,
			IdempotencyKey: "seed"}, domain.LotRegular)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := db.Update(ctx, func(tx domain.Tx) error {
		p := &domain.Purchase{PublicID: "p1", CardID: card.ID, CustomerID: card.CustomerID, ShopID: 1,
			Source: domain.SourcePOS, IdempotencyKey: "k1", Amount: 1000, Currency: "RUB", Redeemed: 10,
			CreatedAt: time.Now()}
		return tx.WritePurchase(ctx, p, domain.PurchaseWrites{
			Debit: &domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerRedeem, Amount: -10, IdempotencyKey: "d1"},
			Uses:  []domain.LotUse{{LotID: 987654, Points: 10}},
		})
	})
	if !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound for a lot that does not exist", err)
	}
	if n := count(t, db, `SELECT count(*) FROM purchases`); n != 0 {
		t.Errorf("%d purchases written, want 0", n)
	}
	if n := count(t, db, `SELECT balance FROM cards`); n != 50 {
		t.Errorf("balance %d, want 50 untouched", n)
	}
}
