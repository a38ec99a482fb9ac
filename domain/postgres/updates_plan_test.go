package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// planNode is a node of EXPLAIN (FORMAT JSON), with what the plan tests
// look at.
type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Plans    []planNode `json:"Plans"`
}

// scansOf plans query with args and lists how it reads relation: the node
// type of each scan of it, with the index it uses.
func scansOf(t *testing.T, db *postgres.DB, relation, query string, args ...any) []string {
	t.Helper()
	var out []byte
	if err := db.Pool().QueryRow(t.Context(), "EXPLAIN (FORMAT JSON) "+query, args...).Scan(&out); err != nil {
		t.Fatal(err)
	}
	var plan []struct{ Plan planNode }
	if err := json.Unmarshal(out, &plan); err != nil || len(plan) != 1 {
		t.Fatalf("explain: %v: %s", err, out)
	}
	var scans []string
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.Relation == relation && n.Type != "ModifyTable" {
			scans = append(scans, strings.TrimSpace(n.Type+" "+n.Index))
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(plan[0].Plan)
	return scans
}

// vacuumedWithInFlight leaves updates as a vacuum between two bursts
// does: 40,000 updates of 400 chats, all handled, vacuumed and analyzed
// (the statistics saying nothing is in flight), and then n more stored
// and not handled, ids from 40,001. It returns the time they carry.
func vacuumedWithInFlight(t *testing.T, db *postgres.DB, n int) time.Time {
	t.Helper()
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO updates (update_id, chat_id, payload, received_at, processed_at)
			SELECT i, i % 400 + 1, '{}', $1, $1 FROM generate_series(1, 40000) i`, []any{at}},
		{`VACUUM ANALYZE updates`, nil},
		{`INSERT INTO updates (update_id, chat_id, payload, received_at)
			SELECT i, i % 400 + 1, '{}', $1 FROM generate_series(40001, 40000 + $2::int) i`, []any{at, n}},
	} {
		if _, err := db.Pool().Exec(t.Context(), q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	return at
}

// TestUpdatesInFlightAreReadByTheChatIndex: every statement that looks
// for updates in flight reads them from updates_chat_pending, also in the
// state a vacuum between two bursts leaves (every update handled, the
// statistics saying nothing is in flight) with updates stored since.
// With a second index of the same entries by update id (updates_pending,
// dropped by migration 0036), the planner judged that one cheaper in this
// state and the webhook's probe of a chat's earlier updates read every
// update in flight instead of the chat's own.
func TestUpdatesInFlightAreReadByTheChatIndex(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	at := vacuumedWithInFlight(t, db, 400)

	byChat := func(scans []string) bool {
		return len(scans) > 0 && !slices.ContainsFunc(scans, func(s string) bool { return !strings.HasSuffix(s, " updates_chat_pending") })
	}
	for _, tc := range []struct {
		name  string
		query string
		args  []any
		want  func([]string) bool
	}{
		{"SaveDeliveries", postgres.SaveDeliveriesSQL,
			[]any{[]int64{40401, 40402}, []int64{1, 2}, []string{"{}", "{}"}, at}, nil},
		{"EarlierPendingUpdates", postgres.EarlierPendingSQL, []any{int64(1), int64(40401), at.Add(-time.Hour)}, byChat},
		{"PendingUpdates", postgres.PendingUpdatesSQL, []any{10_000}, byChat},
		{"SetAsideStaleUpdates", postgres.SetAsideStaleSQL, []any{at, at.Add(-time.Hour), "stale"}, byChat},
	} {
		scans := scansOf(t, db, "updates", tc.query, tc.args...)
		if tc.want == nil { // the INSERT's probe is the only scan of updates
			tc.want = func(s []string) bool { return len(s) == 1 && byChat(s) }
		}
		if !tc.want(scans) {
			t.Errorf("%s reads updates by %s, want updates_chat_pending", tc.name, fmt.Sprint(scans))
		}
	}
}

// TestHandledMarkFindsItsUpdateByKey: marking one update handled
// (finish_update, the dead letter's mark) reads the primary key, also
// with a generic plan made while the statistics say nothing is in flight
// and thousands of updates are. finish_update's test of processed_at
// once implied the predicate of updates_chat_pending, and its cached
// plan read that index whole for every update (migration 0037).
func TestHandledMarkFindsItsUpdateByKey(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	vacuumedWithInFlight(t, db, 10_000)

	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `RESET plan_cache_mode`)

	// The first call compiles the function and plans its statements
	// (reading the catalogs); the later ones run the cached plan.
	for id := 49990; id < 50000; id++ {
		_, pages := explainPages(t, conn, fmt.Sprintf(`SELECT finish_update(%d, '2026-12-05 12:00:01+00')`, id))
		if id > 49990 && pages > 12 {
			t.Errorf("finish_update(%d) read %d pages, want the few of its key", id, pages)
		}
	}

	if _, err := conn.Exec(ctx, `PREPARE dead_letter(bigint, bigint, bytea, text, timestamptz) AS `+postgres.DeadLetterSQL); err != nil {
		t.Fatal(err)
	}
	var out []byte
	if err := conn.QueryRow(ctx, `EXPLAIN (FORMAT JSON) EXECUTE dead_letter(40001, 2, '\x7b7d', 'r', '2026-12-05 12:00:01+00')`,
		pgx.QueryExecModeSimpleProtocol).Scan(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"Index Name": "updates_pkey"`) || strings.Contains(string(out), "updates_chat_pending") {
		t.Errorf("the dead letter's mark does not find its update by key:\n%s", out)
	}
}
