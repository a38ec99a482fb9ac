package postgres_test

import (
	"context"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// TestGenerateDemoMakesConsistentHistories: the playground's demo
// customers come with purchases, ratings and nudges whose ledger agrees
// with every card's balance and lots, all before the business clock and
// in the shops' opening hours, and a second run adds nothing.
func TestGenerateDemoMakesConsistentHistories(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	central := addShop(t, db, "central")
	addShop(t, db, "river")
	cashier := addStaff(t, db, 202, domain.RoleCashier, central.ID)
	seed := postgres.DemoSeed{Customers: 300, Now: clock.Now(), Currency: "RUB", Cashier: cashier.ID,
		Welcome: 100, WelcomeDays: 30, EarnBP: 300, PointValue: 100, WinBackDays: 30, WinBackBonus: 100, Consent: "v1"}
	n, err := db.GenerateDemo(t.Context(), seed)
	if err != nil || n != 300 {
		t.Fatalf("GenerateDemo = %d, %v", n, err)
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.Pool().QueryRow(t.Context(), q, clock.Now()).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for q, want := range map[string]func(int) bool{
		`SELECT count(*) FROM customers WHERE joined_at < $1`:                                        func(n int) bool { return n == 300 },
		`SELECT count(*) FROM purchases WHERE created_at < $1`:                                       func(n int) bool { return n > 600 },
		`SELECT count(DISTINCT store_id) FROM purchases WHERE $1::timestamptz IS NOT NULL`:           func(n int) bool { return n == 2 },
		`SELECT count(*) FROM feedback WHERE stars <= 2 AND created_at < $1`:                         func(n int) bool { return n > 10 },
		`SELECT count(*) FROM nudges WHERE rule = 'winback' AND due_at < $1`:                         func(n int) bool { return n > 10 },
		`SELECT count(*) FROM nudges WHERE outcome = 'held_out' AND due_at < $1`:                     func(n int) bool { return n > 0 },
		`SELECT count(*) FROM nudges WHERE converted_at IS NOT NULL AND $1::timestamptz IS NOT NULL`: func(n int) bool { return n > 0 },
		`SELECT count(*) FROM facts WHERE name = 'birthday' AND $1::timestamptz IS NOT NULL`:         func(n int) bool { return n > 50 },
		// every card's balance is its ledger's sum and its open lots' sum
		`SELECT count(*) FROM cards k WHERE $1::timestamptz IS NOT NULL AND (k.balance <> (SELECT coalesce(sum(amount), 0) FROM ledger WHERE card_id = k.id)
		    OR k.balance <> (SELECT coalesce(sum(remaining), 0) FROM point_lots WHERE card_id = k.id))`: func(n int) bool { return n == 0 },
		`SELECT count(*) FROM ledger WHERE created_at >= $1`: func(n int) bool { return n == 0 },
		// in the shops' opening hours, after joining, at least three hours
		// before now
		`SELECT count(*) FROM purchases p JOIN customers c ON c.id = p.customer_id JOIN stores s ON s.id = p.store_id
		  WHERE p.created_at <= c.joined_at OR p.created_at > $1::timestamptz - interval '3 hours'
		     OR extract(hour FROM p.created_at AT TIME ZONE s.timezone) NOT BETWEEN 8 AND 21`: func(n int) bool { return n == 0 },
		// spread out: not a crowd at one minute (the last day's purchases
		// were once clamped to three hours before now)
		`SELECT count(*) FROM (SELECT 1 FROM purchases WHERE $1::timestamptz IS NOT NULL
		  GROUP BY date_trunc('minute', created_at) HAVING count(*) > 3) x`: func(n int) bool { return n == 0 },
		`SELECT count(*) FROM customers c JOIN stores s ON s.id = c.joined_store_id
		  WHERE $1::timestamptz IS NOT NULL AND extract(hour FROM c.joined_at AT TIME ZONE s.timezone) NOT BETWEEN 8 AND 20`: func(n int) bool { return n == 0 },
	} {
		if got := count(q); !want(got) {
			t.Errorf("%s = %d", q, got)
		}
	}
	var stats []domain.NudgeStat
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		stats, err = tx.NudgeStats(ctx, clock.Now().AddDate(0, 0, -30), 0)
		return err
	})
	if len(stats) == 0 {
		t.Error("/stats nudges would have nothing to show")
	}
	if n, err := db.GenerateDemo(t.Context(), seed); err != nil || n != 0 {
		t.Fatalf("second GenerateDemo = %d, %v; want 0, nil", n, err)
	}
}
