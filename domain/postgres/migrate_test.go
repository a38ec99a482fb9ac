package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// wantVersions is 1..N for the N migration files embedded in the binary.
func wantVersions(t *testing.T) []int {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations embedded: %v", err)
	}
	v := make([]int, len(files))
	for i := range v {
		v[i] = i + 1
	}
	return v
}

func appliedVersions(t *testing.T, pool *pgxpool.Pool) []int {
	t.Helper()
	rows, _ := pool.Query(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	v, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func checkVersions(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	got, want := appliedVersions(t, pool), wantVersions(t)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("schema_migrations versions = %v, want %v", got, want)
	}
}

func emptyPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), pgtest.NewEmptyDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := emptyPool(t)
	for i := range 2 {
		if err := postgres.Migrate(t.Context(), pool); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	checkVersions(t, pool)

	// The databases of pgtest.NewDB are already migrated.
	migrated := pgtest.NewPool(t)
	if err := postgres.Migrate(t.Context(), migrated); err != nil {
		t.Fatalf("Migrate on a migrated database: %v", err)
	}
	checkVersions(t, migrated)
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url := pgtest.NewEmptyDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			// Each goroutine is a replica starting up: its own pool.
			pool, err := pgxpool.New(t.Context(), url)
			if err != nil {
				errs[i] = err
				return
			}
			defer pool.Close()
			errs[i] = postgres.Migrate(t.Context(), pool)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate in goroutine %d: %v", i, err)
		}
	}
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	checkVersions(t, pool)
}

// newCard inserts a store, a customer and a card, and returns the card id.
func newCard(t *testing.T, pool *pgxpool.Pool) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRow(t.Context(), `
		WITH s AS (INSERT INTO stores (code, name, timezone, created_at) VALUES ('main', 'Main St', 'Europe/Berlin', now()) RETURNING id),
		     c AS (INSERT INTO customers (telegram_id, chat_id, first_name, joined_store_id, created_at)
		           SELECT 42, 42, 'Ann', id, now() FROM s RETURNING id)
		INSERT INTO cards (customer_id, number, created_at) SELECT id, '12345678', now() FROM c RETURNING id`).Scan(&id)
	if err != nil {
		t.Fatalf("insert card: %v", err)
	}
	return id
}

var keySeq atomic.Int64

// appendLedger inserts a ledger row and returns its balance_after.
func appendLedger(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, card, amount int64) (int64, error) {
	var after int64
	err := q.QueryRow(ctx, `INSERT INTO ledger (card_id, kind, amount, idempotency_key, created_at)
		VALUES ($1, 'test', $2, $3, now()) RETURNING balance_after`,
		card, amount, fmt.Sprintf("k%d", keySeq.Add(1))).Scan(&after)
	return after, err
}

func balance(t *testing.T, pool *pgxpool.Pool, card int64) int64 {
	t.Helper()
	var b int64
	if err := pool.QueryRow(t.Context(), `SELECT balance FROM cards WHERE id = $1`, card).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func TestLedgerKeepsTheBalance(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := t.Context()
	card := newCard(t, pool)

	for _, step := range []struct{ amount, after int64 }{{+100, 100}, {-30, 70}} {
		after, err := appendLedger(ctx, pool, card, step.amount)
		if err != nil {
			t.Fatalf("ledger %+d: %v", step.amount, err)
		}
		if after != step.after {
			t.Errorf("ledger %+d: balance_after = %d, want %d", step.amount, after, step.after)
		}
	}
	if b := balance(t, pool, card); b != 70 {
		t.Fatalf("balance = %d, want 70", b)
	}

	if _, err := appendLedger(ctx, pool, card, -100); sqlState(err) != "23514" {
		t.Errorf("overdraft: got %v, want check_violation (23514)", err)
	}
	if b := balance(t, pool, card); b != 70 {
		t.Errorf("balance after refused overdraft = %d, want 70", b)
	}

	for _, stmt := range []string{
		`UPDATE ledger SET amount = 1000 WHERE card_id = $1`,
		`DELETE FROM ledger WHERE card_id = $1`,
	} {
		if _, err := pool.Exec(ctx, stmt, card); sqlState(err) != "23001" {
			t.Errorf("%s: got %v, want restrict_violation (23001)", stmt, err)
		}
	}
	var rows, sum int64
	if err := pool.QueryRow(ctx, `SELECT count(*), sum(amount) FROM ledger WHERE card_id = $1`, card).Scan(&rows, &sum); err != nil {
		t.Fatal(err)
	}
	if rows != 2 || sum != 70 {
		t.Errorf("ledger has %d rows summing to %d, want 2 rows summing to 70", rows, sum)
	}
}

func TestLedgerConcurrentDebitsNeverOverdraw(t *testing.T) {
	t.Parallel()
	cfg, err := pgxpool.ParseConfig(pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 25
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx := t.Context()
	card := newCard(t, pool)
	if _, err := appendLedger(ctx, pool, card, 100); err != nil {
		t.Fatal(err)
	}

	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				_, err := appendLedger(ctx, tx, card, -10)
				return err
			})
			switch {
			case err == nil:
				ok.Add(1)
			case sqlState(err) == "23514":
				refused.Add(1)
			default:
				t.Errorf("debit: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()

	if ok.Load() != 10 || refused.Load() != 40 {
		t.Errorf("%d debits succeeded and %d were refused, want 10 and 40", ok.Load(), refused.Load())
	}
	if b := balance(t, pool, card); b != 0 {
		t.Errorf("balance = %d, want 0", b)
	}
	rows, _ := pool.Query(ctx, `SELECT balance_after FROM ledger WHERE card_id = $1 ORDER BY balance_after DESC`, card)
	afters, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	want := "[100 90 80 70 60 50 40 30 20 10 0]"
	if fmt.Sprint(afters) != want {
		t.Errorf("balance_after values = %v, want %s", afters, want)
	}
}
