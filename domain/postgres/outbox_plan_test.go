package postgres_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestSenderReadsAreBoundedWithABacklog checks that claiming the next
// messages and renewing a lease read a few pages, not the backlog, when
// the outbox holds thousands of pending messages the planner's
// statistics have not seen (a queue grows faster than autovacuum
// analyzes it: a big broadcast, or purchase notices faster than
// Telegram's 30 messages a second). With an anti-join the planner, sure
// of a one-row table, compared every claimable row against the whole
// chat index: 90,000 pages and 150 ms a claim at 11,000 messages, which
// starved the sender under load. Pages are counted, not time, with the
// custom and the generic plan of the prepared statements.
func TestSenderReadsAreBoundedWithABacklog(t *testing.T) {
	pool := pgtest.NewPool(t)
	mustExec := execer(t, pool)
	mustExec(`ALTER TABLE outbox SET (autovacuum_enabled = false)`)
	mustExec(`INSERT INTO outbox (chat_id, payload, not_before, created_at)
		SELECT i, '{}', now() - interval '1 hour', now() FROM generate_series(1, 3) i`)
	mustExec(`ANALYZE outbox`) // a queue of three
	// 20,000 messages to 5,000 chats, four each, interleaved in time.
	mustExec(`INSERT INTO outbox (chat_id, payload, not_before, created_at)
		SELECT 100 + c, '{}', now() - interval '1 hour' + (k * 5000 + c) * interval '1 ms', now()
		  FROM generate_series(1, 4) k, generate_series(1, 5000) c ORDER BY k, c`)

	ctx := t.Context()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	simple := pgx.QueryExecModeSimpleProtocol
	for _, prep := range []string{
		`PREPARE claim(int, float8, timestamptz) AS ` + postgres.ClaimOutboxSQL,
		`PREPARE take(bigint, int, float8) AS ` + postgres.TakeOutboxSQL,
	} {
		if _, err := conn.Exec(ctx, prep, simple); err != nil {
			t.Fatal(err)
		}
	}
	defer conn.Exec(ctx, `DEALLOCATE ALL`, simple) //nolint:errcheck // the connection goes back to a test pool
	explain := func(execute string) (rows, pages int) {
		t.Helper()
		var out []byte
		if err := conn.QueryRow(ctx, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE `+execute, simple).Scan(&out); err != nil {
			t.Fatal(err)
		}
		var plan []struct {
			Plan struct {
				Rows int `json:"Actual Rows"`
				Hit  int `json:"Shared Hit Blocks"`
				Read int `json:"Shared Read Blocks"`
			} `json:"Plan"`
		}
		if err := json.Unmarshal(out, &plan); err != nil || len(plan) != 1 {
			t.Fatalf("explain: %v: %s", err, out)
		}
		return plan[0].Plan.Rows, plan[0].Plan.Hit + plan[0].Plan.Read
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := conn.Exec(ctx, "SET plan_cache_mode = "+mode, simple); err != nil {
			t.Fatal(err)
		}
		// The claim's transaction pins its plan (SET LOCAL; here for the session).
		if _, err := conn.Exec(ctx, strings.ReplaceAll(postgres.ClaimPlanSQL, "true)", "false)"), simple); err != nil {
			t.Fatal(err)
		}
		// Each claim leases 8 more first-of-their-chat rows (the first 3
		// chats', then the backlog's): the 8th claim starts 56 rows in.
		for i := range 8 {
			if _, pages := explain(`claim(8, 60, now())`); pages > 300 {
				t.Errorf("%s: claim %d read %d pages with 20,000 messages pending; want a few per claimed row", mode, i+1, pages)
			}
		}
		// A leased first message renews; the chat's second does not.
		var first, second int64
		var attempts int
		if err := conn.QueryRow(ctx, `SELECT id, attempts FROM outbox WHERE chat_id = 200 ORDER BY id LIMIT 1`, simple).Scan(&first, &attempts); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `SELECT id FROM outbox WHERE chat_id = 200 ORDER BY id OFFSET 1 LIMIT 1`, simple).Scan(&second); err != nil {
			t.Fatal(err)
		}
		mustExec(`UPDATE outbox SET claimed_until = now() + interval '1 second', attempts = 1 WHERE id IN ($1, $2)`, first, second)
		for _, c := range []struct {
			id    int64
			renew bool
		}{{first, true}, {second, false}} {
			_, pages := explain(`take(` + itoa(c.id) + `, 1, 60)`)
			var renewed bool
			if err := conn.QueryRow(ctx, `SELECT claimed_until > now() + interval '30 seconds' FROM outbox WHERE id = `+itoa(c.id), simple).Scan(&renewed); err != nil {
				t.Fatal(err)
			}
			if renewed != c.renew || pages > 40 {
				t.Errorf("%s: take of row %d renewed %v (want %v) reading %d pages", mode, c.id, renewed, c.renew, pages)
			}
		}
		mustExec(`UPDATE outbox SET claimed_until = NULL, attempts = 0`)
	}
}
