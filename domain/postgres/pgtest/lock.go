package pgtest

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// HoldLock runs lockSQL (a SELECT … FOR UPDATE) in a transaction of its
// own and keeps the rows locked. release(n) waits until n other sessions
// of the database wait for a lock, then rolls back, letting them all go
// at once. Concurrency tests use it to make requests truly overlap (all
// of them past their first reads, queued on the lock) instead of hoping
// goroutines happen to. The pool needs a connection for the holder and
// one for the watcher besides the waiters'.
func HoldLock(t testing.TB, pool *pgxpool.Pool, lockSQL string, args ...any) (release func(n int)) {
	t.Helper()
	ctx := t.Context()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if _, err := tx.Exec(ctx, lockSQL, args...); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return func(n int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second) // a guard against hanging, not a measure
		for waiting := 0; waiting < n; {
			if time.Now().After(deadline) {
				t.Fatalf("pgtest: %d of %d sessions wait for the lock", waiting, n)
			}
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
				t.Fatalf("pgtest: %v", err)
			}
			if waiting < n {
				time.Sleep(5 * time.Millisecond)
			}
		}
		if err := tx.Rollback(ctx); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
}
