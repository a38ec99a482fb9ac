package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// addLookupFailures upserts one failure per key and returns the counts in
// the order of the keys. Rows are locked in that order (source, then
// card), so concurrent lookups cannot deadlock on them.
const addLookupFailures = `
WITH k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
                         WITH ORDINALITY AS k(scope, subject, window_start, n)),
up AS (
  INSERT INTO lookup_failures AS f (scope, subject, window_start, failures)
  SELECT scope, subject, window_start, 1 FROM k ORDER BY n
  ON CONFLICT (scope, subject, window_start) DO UPDATE SET failures = f.failures + 1
  RETURNING scope, subject, window_start, failures)
SELECT up.failures FROM k JOIN up USING (scope, subject, window_start) ORDER BY k.n`

// purgeLookupFailures deletes some rows of ended windows. SKIP LOCKED: a
// purge never waits for, nor deadlocks with, a lookup counting a failure.
const purgeLookupFailures = `
DELETE FROM lookup_failures WHERE (scope, subject, window_start) IN (
  SELECT scope, subject, window_start FROM lookup_failures WHERE window_start < $1
   LIMIT 100 FOR UPDATE SKIP LOCKED)`

// countLookupFailures reads the counts in the order of the keys.
const countLookupFailures = `
SELECT coalesce(f.failures, 0)
  FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS k(scope, subject, window_start, n)
  LEFT JOIN lookup_failures f USING (scope, subject, window_start)
 ORDER BY k.n`

// AddLookupFailures counts one failed card lookup per key, purging ended
// windows in the same round trip.
func (t *tx) AddLookupFailures(ctx context.Context, keys []domain.LookupKey, purgeBefore time.Time) ([]int, error) {
	scopes, subjects, windows := lookupArrays(keys)
	var counts []int
	b := &pgx.Batch{}
	b.Queue(addLookupFailures, scopes, subjects, windows).Query(func(rows pgx.Rows) error {
		var err error
		counts, err = pgx.CollectRows(rows, pgx.RowTo[int])
		return err
	})
	b.Queue(purgeLookupFailures, purgeBefore)
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("add lookup failures: %w", mapErr(err))
	}
	if len(counts) != len(keys) {
		return nil, fmt.Errorf("add lookup failures: %d counts for %d keys", len(counts), len(keys))
	}
	return counts, nil
}

// CountLookupFailures reads the counts of the keys' windows.
func (t *tx) CountLookupFailures(ctx context.Context, keys []domain.LookupKey) ([]int, error) {
	scopes, subjects, windows := lookupArrays(keys)
	rows, _ := t.tx.Query(ctx, countLookupFailures, scopes, subjects, windows)
	counts, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("count lookup failures: %w", mapErr(err))
	}
	return counts, nil
}

func lookupArrays(keys []domain.LookupKey) (scopes, subjects []string, windows []time.Time) {
	for _, k := range keys {
		scopes = append(scopes, string(k.Scope))
		subjects = append(subjects, k.Subject)
		windows = append(windows, k.Window)
	}
	return scopes, subjects, windows
}
