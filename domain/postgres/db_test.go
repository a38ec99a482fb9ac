package postgres_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestUpdateIsOneTransaction: what a use case writes across aggregates
// (a customer, their card and points, a queued message, deferred writes
// included) commits together or, when fn fails, not at all, and fn's
// error comes back as it was. Ping answers on a working database.
func TestUpdateIsOneTransaction(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	errStop := errors.New("stop")
	join := func(tg int64, fail bool) error {
		return db.Update(ctx, func(tx domain.Tx) error {
			c := &domain.Customer{TelegramID: tg, ChatID: tg, FirstName: "Ann", JoinedAt: t0}
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
			card, err := tx.CreateCard(ctx, c.ID, cardNumber(tg))
			if err != nil {
				return err
			}
			if _, _, err := tx.AppendCredit(ctx, domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerWelcome, Amount: 100,
				IdempotencyKey: domain.WelcomeBonusKey(c.ID)}, domain.LotPromo); err != nil {
				return err
			}
			if _, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: tg, Payload: json.RawMessage(`{"text":"welcome"}`)}, false); err != nil {
				return err
			}
			if fail {
				return errStop
			}
			return nil
		})
	}
	if err := join(1, true); !errors.Is(err, errStop) {
		t.Fatalf("a failing use case: err = %v, want its own error", err)
	}
	for _, table := range []string{"customers", "cards", "ledger", "point_lots", "outbox"} {
		if n := sqlOne[int](t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%d rows in %s after a rolled-back use case", n, table)
		}
	}
	if err := join(2, false); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"customers", "cards", "ledger", "point_lots", "outbox"} {
		if n := sqlOne[int](t, db, `SELECT count(*) FROM `+table); n != 1 {
			t.Errorf("%d rows in %s after a committed use case, want 1", n, table)
		}
	}
	checkTime(t, "the committed card's time", sqlOne[time.Time](t, db, `SELECT created_at FROM cards`), t0)
}

// TestPoolSizeFromTheURLWins: Open's pool size is the default; a
// pool_max_conns in the database URL, an operator's choice, overrides it.
func TestPoolSizeFromTheURLWins(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDB(t)
	for _, c := range []struct {
		url  string
		want int32
	}{{url, 5}, {url + "&pool_max_conns=3", 3}} {
		db, err := postgres.Open(t.Context(), c.url, 5)
		if err != nil {
			t.Fatal(err)
		}
		if got := db.Pool().Config().MaxConns; got != c.want {
			t.Errorf("%s: %d connections, want %d", c.url, got, c.want)
		}
		db.Close()
	}
}
