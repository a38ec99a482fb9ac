package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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
	conn, run, mustExec := queueOfThree(t, true)
	ctx := t.Context()
	simple := pgx.QueryExecModeSimpleProtocol
	run(`PREPARE claim(int, float8, timestamptz) AS ` + postgres.ClaimOutboxSQL)
	run(`PREPARE take(bigint, int, float8) AS ` + postgres.TakeOutboxSQL)
	run(`PREPARE release(bigint[], int[]) AS ` + postgres.ReleaseOutboxSQL)
	// The claim's transaction pins its plan (SET LOCAL; here for the session).
	run(strings.ReplaceAll(postgres.ClaimPlanSQL, "true)", "false)"))
	// Generic plans made and cached while the queue is tiny.
	run(`SET plan_cache_mode = force_generic_plan`)
	for range 6 {
		run(`EXECUTE claim(0, 60, now())`)
		run(`EXECUTE take(1, 0, 60)`)
		run(`EXECUTE release('{1,2}', '{0,0}')`)
	}

	addBacklog(mustExec)
	pages := func(execute string) int {
		t.Helper()
		_, n, cost := explainPlan(t, conn, `EXECUTE `+execute)
		if cost >= 1e9 { // see TestChatQueueReadsIgnoreStatistics
			t.Errorf("%s is planned with a node its settings disable (cost %.0f)", execute, cost)
		}
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

// TestChatQueueReadsIgnoreStatistics checks that the statements that
// read one chat's queue (a reply's "am I first in my chat?", the lease
// renewal's, the worker taking the chat's earlier messages along) read
// that chat's few index entries whatever the statistics say: with the
// outbox never analyzed (a new install's first minute; under the chat
// load the reply's check walked every due message of every chat, 300
// pages, until autovacuum first analyzed the table) and analyzed while
// it was three rows long, with 20,000 messages pending.
func TestChatQueueReadsIgnoreStatistics(t *testing.T) {
	t.Parallel()
	for _, analyzed := range []bool{false, true} {
		conn, run, mustExec := queueOfThree(t, analyzed)
		ctx := t.Context()
		simple := pgx.QueryExecModeSimpleProtocol
		var tuples float64
		if err := conn.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE relname = 'outbox'`).Scan(&tuples); err != nil {
			t.Fatal(err)
		}
		if analyzed != (tuples >= 0) {
			t.Fatalf("analyzed %v, but pg_class says %v tuples", analyzed, tuples)
		}
		run(`PREPARE hold(bigint, jsonb, timestamptz, timestamptz, timestamptz, bigint, bigint[]) AS ` + postgres.HoldOutboxSQL)
		run(`PREPARE take(bigint, int, float8) AS ` + postgres.TakeOutboxSQL)
		run(`PREPARE chat(bigint, bigint, float8, timestamptz) AS ` + postgres.ClaimChatSQL)
		run(`SET plan_cache_mode = force_generic_plan`)
		// Each runs in its transaction as the store runs it: the reply's
		// check with holdPlan before it, the sender's with claimPlan.
		pins := map[string]string{"hold": postgres.HoldPlanSQL, "take": postgres.ClaimPlanSQL, "chat": postgres.ClaimPlanSQL}
		mode := "warm-up"
		takes := map[string]int{`chat(4000, 1000000000, 60, now())`: 0}
		execute := func(execute string, explain bool) {
			t.Helper()
			run(`BEGIN`)
			defer run(`ROLLBACK`)
			run(pins[execute[:strings.Index(execute, "(")]])
			if !explain {
				run(`EXECUTE ` + execute)
				return
			}
			rows, n, cost := explainPlan(t, conn, `EXECUTE `+execute)
			if n > 40 {
				t.Errorf("analyzed %v, %s: %s read %d pages with 20,000 messages pending; want the chat's few", analyzed, mode, execute, n)
			}
			if want, ok := takes[execute]; ok && rows != want {
				t.Errorf("analyzed %v, %s: %s took %d rows; want %d", analyzed, mode, execute, rows, want)
			}
			// A node the pinned settings disable (a sort, with enable_sort
			// off) costs disable_cost, 1e10: the plan then crossed
			// jit_above_cost, and a claim of a few rows spent 350 ms
			// compiling itself.
			if cost >= 1e9 {
				t.Errorf("analyzed %v, %s: %s is planned with a node its settings disable (cost %.0f)", analyzed, mode, execute, cost)
			}
		}
		for range 6 {
			execute(`hold(1, '{}', now(), now() + interval '1 minute', now(), NULL, NULL)`, false)
			execute(`take(1, 0, 60)`, false)
			execute(`chat(1, 1000000, 60, now())`, false)
		}
		addBacklog(mustExec)
		var first int64
		if err := conn.QueryRow(ctx, `SELECT min(id) FROM outbox WHERE chat_id = 4000`, simple).Scan(&first); err != nil {
			t.Fatal(err)
		}
		mustExec(`UPDATE outbox SET claimed_until = now() + interval '1 second', attempts = 1 WHERE id = $1`, first)
		for _, mode = range []string{"force_generic_plan", "force_custom_plan"} {
			run(`SET plan_cache_mode = ` + mode)
			execute(`hold(4000, '{}', now(), now() + interval '1 minute', now(), NULL, NULL)`, true) // a reply's first-in-chat check
			execute(`take(`+itoa(first)+`, 1, 60)`, true)                                            // a lease renewal
			execute(`chat(4000, 1000000000, 60, now())`, true)                                       // a look at a chat whose first message is leased
		}
		// A look that takes the chat's four messages (each in a
		// transaction rolled back: the next mode finds them free again).
		// It writes them: a few more pages.
		for _, mode = range []string{"force_generic_plan", "force_custom_plan"} {
			run(`SET plan_cache_mode = ` + mode)
			rows, n, cost := func() (int, int, float64) {
				run(`BEGIN`)
				defer run(`ROLLBACK`)
				run(postgres.ClaimPlanSQL)
				return explainPlan(t, conn, `EXECUTE chat(4001, 1000000000, 60, now())`)
			}()
			if rows != 4 || n > 150 || cost >= 1e9 {
				t.Errorf("analyzed %v, %s: the look at a free chat took %d of its 4 messages, read %d pages, cost %.0f", analyzed, mode, rows, n, cost)
			}
		}
	}
}

// queueOfThree makes a test database whose outbox holds three due
// messages (chats 1 to 3), analyzed or never, with autovacuum off so its
// statistics stay as they are. It returns a connection of its own
// (released, its prepared statements deallocated, at the end of the
// test), run, which runs a statement on it with the simple protocol, and
// mustExec, which runs one on the pool.
func queueOfThree(t *testing.T, analyze bool) (*pgxpool.Conn, func(sql string), func(sql string, args ...any)) {
	t.Helper()
	pool := pgtest.NewPool(t)
	mustExec := execer(t, pool)
	mustExec(`ALTER TABLE outbox SET (autovacuum_enabled = false)`)
	mustExec(`INSERT INTO outbox (chat_id, payload, not_before, created_at)
		SELECT i, '{}', now() - interval '1 hour', now() FROM generate_series(1, 3) i`)
	if analyze {
		mustExec(`ANALYZE outbox`)
	}
	ctx := t.Context()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	simple := pgx.QueryExecModeSimpleProtocol
	t.Cleanup(func() {
		conn.Exec(context.WithoutCancel(ctx), `DEALLOCATE ALL`, simple) //nolint:errcheck // the connection goes back to a test pool
		conn.Release()
	})
	run := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, simple); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return conn, run, mustExec
}

// addBacklog queues 20,000 messages to 5,000 chats (101 to 5,100), four
// each, interleaved in time, all due.
func addBacklog(mustExec func(sql string, args ...any)) {
	mustExec(`INSERT INTO outbox (chat_id, payload, not_before, created_at)
		SELECT 100 + c, '{}', now() - interval '1 hour' + (k * 5000 + c) * interval '1 ms', now()
		  FROM generate_series(1, 4) k, generate_series(1, 5000) c ORDER BY k, c`)
}
