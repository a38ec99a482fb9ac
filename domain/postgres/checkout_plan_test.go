package postgres_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestCheckoutReadIsBoundedByTheCard checks that the checkout query reads
// a number of pages set by the card's own history, not by the size of the
// shop's purchases table: tripling the other cards' purchases must not make
// this card's checkout read more. It counts buffers, which do not depend
// on the machine's speed, with the planner's statistics both stale (taken
// when the shop was new) and fresh, and with both the custom plan and the
// generic one a prepared statement ends up with.
func TestCheckoutReadIsBoundedByTheCard(t *testing.T) {
	pool := pgtest.NewPool(t)
	mustExec := execer(t, pool)
	bulkCards(mustExec, 200, "UTC")
	round := 0
	// history gives cards from..to n purchases each, interleaved in time
	// as in a real shop.
	history := func(from, to, n int) {
		t.Helper()
		round++
		mustExec(`INSERT INTO purchases (public_id, card_id, customer_id, store_id, source, idempotency_key,
			amount, currency, points_earned, points_redeemed, created_at)
			SELECT 'p' || $4::int || '-' || c.id || '-' || k, c.id, c.customer_id, (SELECT id FROM stores), 'pos',
			       'k' || $4::int || '-' || c.id || '-' || k, 1000, 'RUB', 0, 0, now() - k * interval '1 minute'
			  FROM generate_series(1, $3::int) k, cards c WHERE c.customer_id BETWEEN $1 AND $2
			 ORDER BY k, c.id`, from, to, n, round)
	}
	history(1, 40, 1)
	mustExec(`ANALYZE`) // statistics of a shop with 40 purchases, never refreshed
	history(1, 200, 20) // card 10000001 is measured: 21 purchases

	const limit = 80 // pages
	pages := func() (most int) {
		t.Helper()
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			n, plan := checkoutBuffers(t, pool, mode)
			if n > limit {
				t.Errorf("%s: the checkout read %d pages, want at most %d:\n%s", mode, n, limit, plan)
			}
			most = max(most, n)
		}
		return most
	}
	small := pages()
	history(2, 200, 100) // 24,000 more purchases of the other cards
	if big := pages(); big > small+5 {
		t.Errorf("stale statistics: the checkout read %d pages with 4,000 purchases in the shop and %d with 24,000; want the same", small, big)
	}
	mustExec(`VACUUM ANALYZE purchases`)
	fresh := pages()
	// Promo points that expire, 20 lots on every other card (with their
	// ledger rows), must not be read either: the soonest expiry is asked
	// of this card's lots only.
	mustExec(`WITH l AS (
		INSERT INTO ledger (card_id, kind, amount, idempotency_key, created_at)
		SELECT c.id, 'bonus', 100, 'b' || c.id || '-' || k, now() FROM cards c, generate_series(1, 20) k
		 WHERE c.customer_id > 1
		RETURNING id, card_id)
		INSERT INTO point_lots (card_id, ledger_id, kind, amount, remaining, expires_at, created_at)
		SELECT card_id, id, 'promo', 100, 100, now() + random() * interval '300 days', now() FROM l`)
	mustExec(`VACUUM ANALYZE point_lots`)
	if lots := pages(); lots > fresh+15 { // a plan may change; a scan of the lots would be thousands
		t.Errorf("the checkout read %d pages with 3,980 promo lots on other cards, %d without; want the same", lots, fresh)
	}
}

// checkoutBuffers runs the checkout query for card 10000001 under EXPLAIN
// ANALYZE and returns the pages it touched and the plan.
func checkoutBuffers(t *testing.T, pool *pgxpool.Pool, mode string) (int, string) {
	t.Helper()
	ctx := t.Context()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	simple := pgx.QueryExecModeSimpleProtocol
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = "+mode, simple); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `PREPARE lc(bigint, text, bigint, timestamptz, timestamptz, timestamptz, text) AS `+postgres.LoadCheckoutSQL, simple); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `DEALLOCATE lc`, simple) //nolint:errcheck // the connection goes back to a test pool
	const execute = `EXECUTE lc(0, 'none', 0,
		now() - interval '1 year', now() - interval '1 day', now() - interval '1 hour', '10000001')`
	var found, pages int
	for range 6 { // as pgx's statement cache would, until the plan settles
		found, pages = explainPages(t, conn, execute)
	}
	if found != 1 {
		t.Fatalf("%s: the checkout query found %d rows for the card, want 1", mode, found)
	}
	var text strings.Builder
	rows, _ := conn.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS) `+execute, simple)
	for rows.Next() {
		var line string
		if rows.Scan(&line) == nil {
			text.WriteString(line + "\n")
		}
	}
	return pages, text.String()
}
