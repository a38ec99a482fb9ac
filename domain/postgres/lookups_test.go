package postgres_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

func openDB(t *testing.T) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), pgtest.NewDB(t), 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// TestLookupCountersCountAndPurge: upserts count per key and window, come
// back in the order asked, and rows of ended windows are purged by a
// later failure; counting reads 0 for a key without a row.
func TestLookupCountersCountAndPurge(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	w0 := time.Date(2031, 5, 1, 10, 0, 0, 0, time.UTC)
	key := func(scope domain.LookupScope, subject string, w time.Time) domain.LookupKey {
		return domain.LookupKey{Scope: scope, Subject: subject, Window: w}
	}
	a, card := key(domain.ScopePOSKey, "aa", w0), key(domain.ScopeCard, "12345678", w0)
	add := func(keys ...domain.LookupKey) (got []int) {
		t.Helper()
		err := db.Update(ctx, func(tx domain.Tx) error {
			var err error
			got, err = tx.AddLookupFailures(ctx, keys, w0.Add(-24*time.Hour))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	count := func(keys ...domain.LookupKey) (got []int) {
		t.Helper()
		err := db.Update(ctx, func(tx domain.Tx) error {
			var err error
			got, err = tx.CountLookupFailures(ctx, keys)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	add(a, card)
	add(a, card)
	if got := add(card, a); got[0] != 3 || got[1] != 3 {
		t.Fatalf("third failure: %v, want [3 3]", got)
	}
	b := key(domain.ScopePOSKey, "bb", w0)
	if got := add(b, card); got[0] != 1 || got[1] != 4 {
		t.Fatalf("another key, same card: %v, want [1 4]", got)
	}
	next := key(domain.ScopePOSKey, "aa", w0.Add(15*time.Minute))
	if got := count(next, a, key(domain.ScopeStaff, "aa", w0)); got[0] != 0 || got[1] != 3 || got[2] != 0 {
		t.Fatalf("counts: %v, want [0 3 0]: windows and scopes are apart", got)
	}
	// Two days on, a failure purges the rows of windows that ended.
	later := key(domain.ScopeStaff, "7", w0.Add(48*time.Hour))
	err := db.Update(ctx, func(tx domain.Tx) error {
		_, err := tx.AddLookupFailures(ctx, []domain.LookupKey{later}, later.Window.Add(-24*time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM lookup_failures`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Fatalf("%d rows after the purge, want only the new one", rows)
	}
}

// TestFailCardLookupBurstOnceUnderConcurrency: 40 failed lookups by one
// key at once are all counted, exactly one of them reports the burst (the
// owners hear once per window), and those past the limit are refused.
func TestFailCardLookupBurstOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := t.Context()
	now := time.Date(2031, 5, 1, 10, 3, 0, 0, time.UTC)
	src := domain.LookupSource{Scope: domain.ScopePOSKey, ID: "cafe", Name: "lb_abcd"}
	const n = 40
	var mu sync.Mutex
	bursts, refused := 0, 0
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			number := "1000000" + string(rune('0'+i%10)) // several cards, one key
			err := db.Update(ctx, func(tx domain.Tx) error {
				burst, err := domain.FailCardLookup(ctx, tx, src, number, now)
				mu.Lock()
				defer mu.Unlock()
				if burst != nil {
					bursts++
				}
				if errors.Is(err, domain.ErrTooManyAttempts) {
					refused++
				} else if !errors.Is(err, domain.ErrCardInvalid) {
					return err
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	limit := domain.LimitOf(domain.ScopePOSKey).Max
	if bursts != 1 {
		t.Errorf("%d bursts reported, want exactly 1", bursts)
	}
	if refused != n-limit {
		t.Errorf("%d of %d failures refused, want all past the limit of %d", refused, n, limit)
	}
	err := db.Update(ctx, func(tx domain.Tx) error {
		err := domain.GuardCardLookup(ctx, tx, src, "20000000", now)
		var tm *domain.TooManyAttemptsError
		if !errors.As(err, &tm) || tm.RetryAfter != 12*time.Minute {
			t.Errorf("guard after the burst: %v, want a wait until 10:15 (12 min)", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTypedCodePurchaseReadsLimitsInItsRoundTrips: a purchase by typed
// code reads the failed-lookup counters with the card, so it still costs
// two round trips; once the card is over its limit the purchase is
// refused before anything is written.
func TestTypedCodePurchaseReadsLimitsInItsRoundTrips(t *testing.T) {
	db, trips := tracedDB(t)
	ctx := t.Context()
	if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "a", Name: "A", TimeZone: "UTC"}}); err != nil {
		t.Fatal(err)
	}
	number := domain.NewCardNumber()
	if err := db.Update(ctx, func(tx domain.Tx) error {
		c := &domain.Customer{TelegramID: 1, ChatID: 1, FirstName: "A", JoinedAt: time.Now()}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		_, err := tx.CreateCard(ctx, c.ID, number)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	p := domain.DefaultProgram()
	now := time.Date(2031, 5, 1, 10, 0, 0, 0, time.UTC)
	src := domain.LookupSource{Scope: domain.ScopePOSKey, ID: "k1"}
	buy := func(key string) error {
		return db.Update(ctx, func(tx domain.Tx) error {
			_, err := domain.RecordPurchase(ctx, tx, &p, domain.PurchaseRequest{CardNumber: number, ShopID: 1,
				Source: domain.SourcePOS, IdempotencyKey: key, Amount: 100000, Currency: "RUB", LookupBy: &src}, now)
			return err
		})
	}
	if err := buy("warm-up"); err != nil {
		t.Fatal(err)
	}
	trips.reset()
	if err := buy("second"); err != nil {
		t.Fatal(err)
	}
	if n, sql := trips.reset(); n != 2 {
		t.Errorf("a typed-code purchase made %d round trips, want 2: %q", n, sql)
	}
	other := domain.LookupSource{Scope: domain.ScopePOSKey, ID: "k2"}
	for range domain.LimitOf(domain.ScopeCard).Max {
		if err := db.Update(ctx, func(tx domain.Tx) error {
			_, err := domain.FailCardLookup(ctx, tx, other, number, now)
			if errors.Is(err, domain.ErrCardInvalid) {
				return nil
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var tm *domain.TooManyAttemptsError
	if err := buy("locked"); !errors.As(err, &tm) || tm.RetryAfter != 14*time.Hour {
		t.Fatalf("purchase on a card over its limit: %v, want refused until the day ends (14 h)", err)
	}
	if n := count(t, db, `SELECT count(*) FROM purchases`); n != 2 {
		t.Fatalf("%d purchases, want the 2 before the card was locked", n)
	}
}
