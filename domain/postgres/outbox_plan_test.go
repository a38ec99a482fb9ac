package postgres_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestSenderReadsAreBoundedWithABacklog checks that the sender's
// statements (claim the next messages, renew and give back a lease by
// id) read a few pages, not the backlog, when the outbox holds
// thousands of pending messages its statistics and cached plans have not
// seen: the queue starts empty and grows faster than autovacuum analyzes
// it (a big broadcast, purchase notices faster than Telegram's 30
// messages a second). Measured under load before this was fixed: a claim
// read 628,000 pages (510 ms); a release by id walked a whole partial
// index. Pages are counted, not time: with
// the generic plans cached while the queue was three rows long, and with
// custom plans.
func TestSenderReadsAreBoundedWithABacklog(t *testing.T) {
	pool := pgtest.NewPool(t)
	mustExec := execer(t, pool)
	mustExec(`ALTER TABLE outbox SET (autovacuum_enabled = false)`)
	mustExec(`INSERT INTO outbox (chat_id, payload, not_before, created_at)
		SELECT i, '{}', now() - interval '1 hour', now() FROM generate_series(1, 3) i`)
	mustExec(`ANALYZE outbox`) // a queue of three

	ctx := t.Context()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	simple := pgx.QueryExecModeSimpleProtocol
	run := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, simple); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	run(`PREPARE claim(int, float8, timestamptz) AS ` + postgres.ClaimOutboxSQL)
	run(`PREPARE take(bigint, int, float8) AS ` + postgres.TakeOutboxSQL)
	run(`PREPARE release(bigint[], int[]) AS ` + postgres.ReleaseOutboxSQL)
	defer conn.Exec(ctx, `DEALLOCATE ALL`, simple) //nolint:errcheck // the connection goes back to a test pool
	// The claim's transaction pins its plan (SET LOCAL; here for the session).
	run(strings.ReplaceAll(postgres.ClaimPlanSQL, "true)", "false)"))
	// Generic plans made and cached while the queue is tiny.
	run(`SET plan_cache_mode = force_generic_plan`)
	for range 6 {
		run(`EXECUTE claim(0, 60, now())`)
		run(`EXECUTE take(1, 0, 60)`)
		run(`EXECUTE release('{1,2}', '{0,0}')`)
	}

	// 20,000 messages to 5,000 chats, four each, interleaved in time.
	mustExec(`INSERT INTO outbox (chat_id, payload, not_before, created_at)
		SELECT 100 + c, '{}', now() - interval '1 hour' + (k * 5000 + c) * interval '1 ms', now()
		  FROM generate_series(1, 4) k, generate_series(1, 5000) c ORDER BY k, c`)
	pages := func(execute string) int {
		t.Helper()
		_, n := explainPages(t, conn, `EXECUTE `+execute)
		return n
	}
	leaseState := func(id int64) (renewed, held bool) {
		t.Helper()
		err := conn.QueryRow(ctx, `SELECT coalesce(claimed_until > now() + interval '30 seconds', false),
			claimed_until IS NOT NULL FROM outbox WHERE id = `+itoa(id), simple).Scan(&renewed, &held)
		if err != nil {
			t.Fatal(err)
		}
		return renewed, held
	}
	for _, mode := range []string{"force_generic_plan", "force_custom_plan"} {
		run(`SET plan_cache_mode = ` + mode)
		// Each claim leases 8 more first-of-their-chat rows (the first 3
		// chats', then the backlog's): the 8th claim starts 56 rows in.
		for i := range 8 {
			if n := pages(`claim(8, 60, now())`); n > 300 {
				t.Errorf("%s: claim %d read %d pages with 20,000 messages pending; want a few per claimed row", mode, i+1, n)
			}
		}
		// A chat's first and second message, by id.
		var first, second int64
		if err := conn.QueryRow(ctx, `SELECT min(id), max(id) FROM (SELECT id FROM outbox WHERE chat_id = 200 ORDER BY id LIMIT 2) x`, simple).Scan(&first, &second); err != nil {
			t.Fatal(err)
		}
		pair := `'{` + itoa(first) + `,` + itoa(second) + `}'`
		// A leased first message renews; the chat's second does not.
		mustExec(`UPDATE outbox SET claimed_until = now() + interval '1 second', attempts = 1 WHERE id IN ($1, $2)`, first, second)
		for _, c := range []struct {
			id    int64
			renew bool
		}{{first, true}, {second, false}} {
			n := pages(`take(` + itoa(c.id) + `, 1, 60)`)
			if renewed, _ := leaseState(c.id); renewed != c.renew || n > 40 {
				t.Errorf("%s: take of row %d renewed %v (want %v) reading %d pages", mode, c.id, renewed, c.renew, n)
			}
		}
		// Giving the leases back, fenced by the attempt: a stale one stays.
		n := pages(`release(` + pair + `, '{1,0}')`)
		if _, held := leaseState(first); held || n > 40 {
			t.Errorf("%s: release read %d pages; the lease is still held: %v", mode, n, held)
		}
		if _, held := leaseState(second); !held {
			t.Errorf("%s: a release with a stale attempt gave the lease back", mode)
		}
		mustExec(`UPDATE outbox SET claimed_until = NULL, attempts = 0`)
	}
}
