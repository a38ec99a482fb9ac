package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"
)

// ListCardsToExpire finds cards with points due to expire.
func (db *DB) ListCardsToExpire(ctx context.Context, now, inactiveBefore time.Time, afterID int64, limit int) ([]int64, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT card_id FROM (
			SELECT l.card_id FROM point_lots l
			 WHERE l.remaining > 0 AND l.expires_at <= $1
			UNION
			SELECT l.card_id FROM point_lots l JOIN cards c ON c.id = l.card_id
			 WHERE $2::timestamptz > '-infinity' AND l.kind = 'regular' AND l.remaining > 0
			   AND coalesce((SELECT max(p.created_at) FROM purchases p
			                  WHERE p.card_id = l.card_id AND p.cancelled_at IS NULL), c.created_at) <= $2
		) due WHERE card_id > $3 ORDER BY card_id LIMIT $4`, now, inactiveOrNever(inactiveBefore), afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("cards to expire: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// inactiveOrNever maps "no inactivity expiry" (zero time) to -infinity.
func inactiveOrNever(t time.Time) any {
	if t.IsZero() {
		return "-infinity"
	}
	return t
}

// TryLock runs fn under a session-level advisory lock named name, unless
// another replica holds it: each scheduled job runs once per tick across
// replicas.
func (db *DB) TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Release()
	h := fnv.New64a()
	h.Write([]byte("loyaltybot job " + name))
	key := int64(h.Sum64())
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		return false, err
	}
	if !ok {
		return false, nil
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key) //nolint:errcheck
	return true, fn(ctx)
}
