package postgres_test

// Shared fixtures of the storage tests (one file per aggregate, in the
// style of golang/pkgsite's internal/postgres): a fresh database per test
// on a fake business clock, and the few rows most tests stand on.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// t0 is where every test's business clock starts: years from the wall
// clock, so a time taken from time.Now or from the database's now() shows,
// and with nanoseconds, which PostgreSQL drops (compare with us).
var t0 = time.Date(2031, time.May, 17, 10, 20, 30, 123456789, time.UTC)

// fakeClock is the business clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// Now is the clock's time; the store reads it through WithClock.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock and returns the new time.
func (c *fakeClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// newStore opens a fresh, migrated database whose business clock stands
// at t0 until the test moves it.
func newStore(t *testing.T) (*postgres.DB, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: t0}
	db, err := postgres.Open(t.Context(), pgtest.NewDB(t), 4, postgres.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db, clock
}

// inTx runs fn in one transaction and fails the test if it fails.
func inTx(t *testing.T, db *postgres.DB, fn func(ctx context.Context, tx domain.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := db.Update(ctx, func(tx domain.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// txErr runs fn in one transaction and returns its error.
func txErr(t *testing.T, db *postgres.DB, fn func(ctx context.Context, tx domain.Tx) error) error {
	t.Helper()
	ctx := t.Context()
	return db.Update(ctx, func(tx domain.Tx) error { return fn(ctx, tx) })
}

// addShop syncs one store with this code and returns it as stored.
func addShop(t *testing.T, db *postgres.DB, code string) *domain.Shop {
	t.Helper()
	if err := db.SyncStores(t.Context(), []domain.StoreConfig{{Code: code, Name: "Shop " + code, TimeZone: "Europe/Moscow"}}); err != nil {
		t.Fatal(err)
	}
	var s *domain.Shop
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		s, err = tx.FindShopByCode(ctx, code)
		return err
	})
	return s
}

// addMember creates a member (joined, Telegram user and chat tg) with a
// card numbered after tg.
func addMember(t *testing.T, db *postgres.DB, clock *fakeClock, tg int64) (*domain.Customer, *domain.Card) {
	t.Helper()
	c := &domain.Customer{TelegramID: tg, ChatID: tg, FirstName: fmt.Sprint("Member ", tg), Language: "en",
		JoinedAt: clock.Now()}
	var card *domain.Card
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		card, err = tx.CreateCard(ctx, c.ID, cardNumber(tg))
		return err
	})
	return c, card
}

// cardNumber is a valid card number (8 digits, no leading zero) for n.
func cardNumber(n int64) string { return fmt.Sprint(10_000_000 + n) }

// addStaff saves an active staff member.
func addStaff(t *testing.T, db *postgres.DB, tg int64, role domain.Role, shopID int64) *domain.Staff {
	t.Helper()
	s := &domain.Staff{TelegramID: tg, ChatID: tg, FirstName: fmt.Sprint("Staff ", tg), Role: role, ShopID: shopID}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.SaveStaff(ctx, s) })
	return s
}

// credit puts points on a card as a lot of the given kind, and returns
// the ledger row.
func credit(t *testing.T, db *postgres.DB, cardID, points int64, kind domain.LotKind, expires time.Time) domain.LedgerEntry {
	t.Helper()
	var row domain.LedgerEntry
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		row, _, err = tx.AppendCredit(ctx, domain.LedgerEntry{CardID: cardID, Kind: domain.LedgerBonus, Amount: points,
			IdempotencyKey: fmt.Sprintf("test:%d:%d", cardID, fixtureSeq.Add(1)), ExpiresAt: expires}, kind)
		return err
	})
	return row
}

// us is t as PostgreSQL stores it: microseconds, and in UTC so that
// reflect.DeepEqual compares instants.
func us(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// norm returns v with every time.Time in it (in structs, pointers and
// slices) passed through us, so a value read back from PostgreSQL and the
// value written compare with reflect.DeepEqual.
func norm[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	normValue(rv)
	return v
}

// fixtureSeq makes the idempotency keys of credit unique.
var fixtureSeq atomic.Int64

var timeType = reflect.TypeFor[time.Time]()

func normValue(v reflect.Value) {
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(us(v.Interface().(time.Time))))
	case v.Kind() == reflect.Pointer && !v.IsNil():
		normValue(v.Elem())
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normValue(v.Field(i))
			}
		}
	case v.Kind() == reflect.Slice:
		for i := range v.Len() {
			normValue(v.Index(i))
		}
	}
}

// checkEqual fails the test unless got and want are equal once their
// times are normalised.
func checkEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if g, w := norm(got), norm(want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

// checkTime fails the test unless got is want as PostgreSQL keeps it.
func checkTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !us(got).Equal(us(want)) {
		t.Errorf("%s = %v, want %v", what, got, us(want))
	}
}

// checkErr fails the test unless errors.Is(err, want).
func checkErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: err = %v, want %v", what, err, want)
	}
}

// sqlOne reads one value with plain SQL, outside any store method: what a
// method stored, as the database holds it.
func sqlOne[T any](t *testing.T, db *postgres.DB, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := db.Pool().QueryRow(t.Context(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// lockedElsewhere reports whether another transaction holds a lock that
// lockSQL (a SELECT … FOR UPDATE, or an INSERT of a row another
// transaction inserted and has not committed) must wait for. It runs
// lockSQL in its own transaction with a short lock_timeout: a wait ends in
// lock_not_available, anything else returns at once, so the answer does
// not depend on timing, only how long a "yes" takes.
func lockedElsewhere(t *testing.T, db *postgres.DB, lockSQL string, args ...any) bool {
	t.Helper()
	err := pgx.BeginFunc(t.Context(), db.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), `SET LOCAL lock_timeout = '100ms'`); err != nil {
			return err
		}
		_, err := tx.Exec(t.Context(), lockSQL, args...)
		return err
	})
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "55P03" {
		return true
	}
	if err != nil {
		t.Fatalf("%s: %v", lockSQL, err)
	}
	return false
}

// holdTx runs fn in a transaction that stays open, from another goroutine,
// until the returned release is called; release returns the
// transaction's error. Tests use it to look at the locks fn took.
func holdTx(t *testing.T, db *postgres.DB, fn func(ctx context.Context, tx domain.Tx) error) (release func() error) {
	t.Helper()
	ready, done, result := make(chan error, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		ctx := context.WithoutCancel(t.Context())
		result <- db.Update(ctx, func(tx domain.Tx) error {
			err := fn(ctx, tx)
			ready <- err
			if err != nil {
				return err
			}
			<-done
			return nil
		})
	}()
	if err := <-ready; err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var err error
	release = func() error {
		once.Do(func() {
			close(done)
			err = <-result
		})
		return err
	}
	t.Cleanup(func() { release() })
	return release
}

// enqueue queues an unclaimed message for the background sender and
// returns its id.
func enqueue(t *testing.T, db *postgres.DB, chat int64, notBefore time.Time) int64 {
	t.Helper()
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: chat, Payload: json.RawMessage(fmt.Sprintf(`{"text":"to %d"}`, chat)),
			NotBefore: notBefore}, false)
		return err
	})
	return sqlOne[int64](t, db, `SELECT max(id) FROM outbox`)
}

// idsOf lists the messages' ids, ascending.
func idsOf(ms []domain.OutMessage) []int64 {
	out := []int64{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	slices.Sort(out)
	return out
}

// sameJSON reports whether a and b are the same JSON value (jsonb keeps
// its own spacing and key order).
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// claimAll claims every due message and fails the test unless they are
// the want ones (in any order).
func claimAll(t *testing.T, db *postgres.DB, want ...int64) []domain.OutMessage {
	t.Helper()
	got, err := db.Outbox().Claim(t.Context(), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want = append([]int64{}, want...)
	slices.Sort(want)
	if !reflect.DeepEqual(idsOf(got), want) {
		t.Fatalf("claimed %v, want %v", idsOf(got), want)
	}
	return got
}

// execer returns a function that runs one SQL statement on pool and fails
// the test on error: the plan tests build their shops in raw SQL.
func execer(t *testing.T, pool *pgxpool.Pool) func(sql string, args ...any) {
	return func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(t.Context(), sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}

// bulkCards gives a shop one store in tz and n customers with a card
// each (card number 10000000 + customer id), all in a few statements.
func bulkCards(exec func(string, ...any), n int, tz string) {
	exec(`INSERT INTO stores (code, name, timezone, created_at) VALUES ('a', 'A', $1, now())`, tz)
	exec(`INSERT INTO customers (telegram_id, chat_id, first_name, created_at) SELECT i, i, 'C' || i, now() FROM generate_series(1, $1::int) i`, n)
	exec(`INSERT INTO cards (customer_id, number, created_at) SELECT id, (10000000 + id)::text, now() FROM customers`)
}

// explainPages runs EXPLAIN (ANALYZE, BUFFERS) of statement (an EXECUTE
// of a prepared one, say) on conn and returns the rows its top node
// produced and the pages it touched: the plan tests count pages, which do
// not depend on the machine's speed.
func explainPages(t *testing.T, conn *pgxpool.Conn, statement string) (rows, pages int) {
	t.Helper()
	rows, pages, _ = explainPlan(t, conn, statement)
	return rows, pages
}

// explainPlan is explainPages with the plan's estimated total cost.
func explainPlan(t *testing.T, conn *pgxpool.Conn, statement string) (rows, pages int, cost float64) {
	t.Helper()
	var out []byte
	err := conn.QueryRow(t.Context(), `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+statement,
		pgx.QueryExecModeSimpleProtocol).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	var plan []struct {
		Plan struct {
			Rows int     `json:"Actual Rows"`
			Hit  int     `json:"Shared Hit Blocks"`
			Read int     `json:"Shared Read Blocks"`
			Cost float64 `json:"Total Cost"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(out, &plan); err != nil || len(plan) != 1 {
		t.Fatalf("explain: %v: %s", err, out)
	}
	p := plan[0].Plan
	return p.Rows, p.Hit + p.Read, p.Cost
}

// unsentOf returns those of ids neither sent nor dropped, in id order.
func unsentOf(t *testing.T, db *postgres.DB, ids ...int64) []int64 {
	t.Helper()
	return sqlOne[[]int64](t, db, `SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM outbox
		WHERE id = ANY($1) AND sent_at IS NULL AND dropped_at IS NULL`, ids)
}
