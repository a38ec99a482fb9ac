package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestBadgeFactsReadIsBoundedByTheCustomer checks that the badge checks,
// which run in every purchase's transaction, read a number of pages set
// by the customer's own purchases and awards: other members' purchases
// and awards growing tenfold must not make them read more. (They once
// scanned every purchase and every award, and a loaded shop fell from
// about 1,300 purchases a second to 20.) Pages are counted, not time.
func TestBadgeFactsReadIsBoundedByTheCustomer(t *testing.T) {
	pool := pgtest.NewPool(t)
	mustExec := execer(t, pool)
	bulkCards(mustExec, 300, "Europe/Moscow")
	round := 0
	grow := func(from, to, n int) {
		t.Helper()
		round++
		mustExec(`INSERT INTO purchases (public_id, card_id, customer_id, store_id, source, idempotency_key,
			amount, currency, points_earned, points_redeemed, created_at)
			SELECT 'p' || $4::int || '-' || c.id || '-' || k, c.id, c.customer_id, (SELECT id FROM stores), 'pos',
			       'k' || $4::int || '-' || c.id || '-' || k, 1000 + k, 'RUB', 0, 0, now() - k * interval '5 hours'
			  FROM generate_series(1, $3::int) k, cards c WHERE c.customer_id BETWEEN $1 AND $2
			 ORDER BY k, c.id`, from, to, n, round)
		mustExec(`INSERT INTO badge_awards (badge, customer_id, occurrence, awarded_at)
			SELECT 'b' || $3::int || '-' || k, c.id, '', now() FROM generate_series(1, 3) k, customers c
			 WHERE c.id BETWEEN $1 AND $2`, from, to, round)
		mustExec(`VACUUM ANALYZE purchases, badge_awards`)
	}
	grow(1, 300, 10) // customer 1 is measured: 10 purchases, 3 awards
	small := badgeFactsPages(t, pool)
	grow(2, 300, 100) // 30,000 more purchases and 900 awards of the others
	if big := badgeFactsPages(t, pool); big > small+10 || big > 200 {
		t.Errorf("the badge checks read %d pages with 3,000 purchases in the shop and %d with 33,000; want the same", small, big)
	}
}

// badgeFactsPages runs the badge facts of customer 1 under EXPLAIN
// ANALYZE as a purchase asks them (no month: the store's biggest receipt
// is only shown by /badges), with the custom and the generic plan a
// prepared statement ends up with, and returns the most pages touched.
func badgeFactsPages(t *testing.T, pool *pgxpool.Pool) (most int) {
	t.Helper()
	ctx := t.Context()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	simple := pgx.QueryExecModeSimpleProtocol
	if _, err := conn.Exec(ctx, `PREPARE bf(bigint, timestamptz, int, text[], timestamptz, bigint) AS `+postgres.BadgeFactsSQL, simple); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `DEALLOCATE bf`, simple) //nolint:errcheck // the connection goes back to a test pool
	if _, err := conn.Exec(ctx, `PREPARE bc(bigint, timestamptz, int, text[], timestamptz, bigint, text) AS `+postgres.BadgeFactsOfCardSQL, simple); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `DEALLOCATE bc`, simple) //nolint:errcheck // the connection goes back to a test pool
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := conn.Exec(ctx, "SET plan_cache_mode = "+mode, simple); err != nil {
			t.Fatal(err)
		}
		for _, execute := range []string{
			`bf(1, now(), 5, '{birthday}', NULL, NULL)`,          // after a purchase, by the customer
			`bc(0, now(), 5, '{birthday}', NULL, 1, '10000001')`, // in the checkout, by the card's number
			`bc(1, now(), 5, '{birthday}', NULL, 1, '')`,         // by its id (cards and customers were made in step)
		} {
			_, pages := explainPages(t, conn, `EXECUTE `+execute)
			most = max(most, pages)
		}
	}
	return most
}
