package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/loyaltybot/loyaltybot/domain"
)

// SaveUpdate stores an incoming update before anything else happens to it.
// A payload PostgreSQL refuses (jsonb holds no U+0000, no invalid UTF-8) is
// ErrInvalid: the same bytes would fail on every retry. One stored before
// and not handled yet is fresh again (unhandledBefore).
func (db *DB) SaveUpdate(ctx context.Context, updateID, chatID int64, payload []byte) (bool, error) {
	tag, err := db.pool.Exec(ctx, saveUpdate, updateID, chatID, payload, db.now())
	if err != nil {
		if refusedData(err) {
			err = fmt.Errorf("%w: %w", domain.ErrInvalid, err)
		}
		return false, fmt.Errorf("save update %d: %w", updateID, mapErr(err))
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	again, err := db.unhandled(ctx, []int64{updateID})
	return len(again) == 1, err
}

// LastUpdateID is the highest update id stored (handled, pending or set
// aside), 0 for none: where a fake Bot API started again on this
// database goes on numbering.
func (db *DB) LastUpdateID(ctx context.Context) (int64, error) {
	var id int64
	err := db.pool.QueryRow(ctx, `SELECT GREATEST(coalesce((SELECT max(update_id) FROM updates), 0),
		coalesce((SELECT max(update_id) FROM dead_updates), 0))`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("last update id: %w", mapErr(err))
	}
	return id, nil
}

// unhandled lists those of ids stored and not handled yet (unhandledBefore):
// asked only of updates an insert found stored already, a redelivery.
func (db *DB) unhandled(ctx context.Context, ids []int64) ([]int64, error) {
	rows, _ := db.pool.Query(ctx, unhandledBefore, ids)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("look for redeliveries: %w", mapErr(err))
	}
	return out, nil
}

// saveUpdate stores one update (a redelivery stores nothing: SaveUpdate
// then asks unhandledBefore).
const saveUpdate = `INSERT INTO updates (update_id, chat_id, payload, received_at)
	VALUES ($1, $2, $3, $4) ON CONFLICT (update_id) DO NOTHING`

const saveUpdates = `INSERT INTO updates (update_id, chat_id, payload, received_at)
	SELECT u.id, u.chat, u.payload::jsonb, $4 FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(id, chat, payload)
	ON CONFLICT (update_id) DO NOTHING
	RETURNING update_id, false`

// unhandledBefore lists the updates of $1 stored and not handled yet,
// asked of the ones a save found stored already: a delivery again of one
// whose storing the bot never heard of (the answer lost to a restart or a
// broken connection, so the update was not confirmed) must still be
// handled, not dropped as a duplicate until the next start. Fresh, and
// behind (earlier updates of its chat may be pending: the chat's order
// decides); a worker handling it right now makes the second handling a
// duplicate (ClaimUpdate). A round trip only for a redelivery: the usual
// save is the INSERT alone. It finds them by their key: the unhandled
// test is written not to imply the predicate of updates_chat_pending,
// which a plan would otherwise read whole, every update in flight (as
// deadLetter, migration 0037).
const unhandledBefore = `SELECT e.update_id FROM updates e
	WHERE e.update_id = ANY($1) AND num_nulls(e.processed_at) = 1`

// saveDeliveries is saveUpdates asking, for each update stored, whether
// its chat has an earlier one stored and not handled (updates_chat_pending).
// The subquery reads the snapshot from before the INSERT: rows of this
// statement are not in it (SaveDeliveries looks at those).
const saveDeliveries = `INSERT INTO updates (update_id, chat_id, payload, received_at)
	SELECT u.id, u.chat, u.payload::jsonb, $4 FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(id, chat, payload)
	ON CONFLICT (update_id) DO NOTHING
	RETURNING update_id, EXISTS (SELECT 1 FROM updates e
		WHERE e.chat_id = updates.chat_id AND e.update_id < updates.update_id AND e.processed_at IS NULL)`

// SaveUpdates stores a batch of updates in one statement (see domain.Store).
func (db *DB) SaveUpdates(ctx context.Context, us []domain.RawUpdate) ([]bool, error) {
	fresh, _, err := db.saveBatch(ctx, saveUpdates, us)
	return fresh, err
}

// SaveDeliveries stores a batch as SaveUpdates does and says which of
// them have an earlier update of their chat pending (see domain.Store):
// one stored before and not handled, or one in the batch itself.
func (db *DB) SaveDeliveries(ctx context.Context, us []domain.RawUpdate) (fresh, behind []bool, err error) {
	fresh, behind, err = db.saveBatch(ctx, saveDeliveries, us)
	if err != nil {
		return nil, nil, err
	}
	first := map[int64]int64{} // chat → its oldest update stored now
	for i, u := range us {
		if fresh[i] {
			if id, ok := first[u.ChatID]; !ok || u.UpdateID < id {
				first[u.ChatID] = u.UpdateID
			}
		}
	}
	for i, u := range us {
		if fresh[i] && first[u.ChatID] < u.UpdateID {
			behind[i] = true
		}
	}
	return fresh, behind, nil
}

func (db *DB) saveBatch(ctx context.Context, query string, us []domain.RawUpdate) ([]bool, []bool, error) {
	ids, chats, payloads := make([]int64, len(us)), make([]int64, len(us)), make([]string, len(us))
	for i, u := range us {
		ids[i], chats[i], payloads[i] = u.UpdateID, u.ChatID, string(u.Payload)
	}
	type stored struct {
		id     int64
		behind bool
	}
	var rs []stored
	rows, err := db.pool.Query(ctx, query, ids, chats, payloads, db.now())
	if err == nil {
		rs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (stored, error) {
			var s stored
			return s, row.Scan(&s.id, &s.behind)
		})
	}
	if err != nil {
		if refusedData(err) {
			err = fmt.Errorf("%w: %w", domain.ErrInvalid, err)
		}
		return nil, nil, fmt.Errorf("save %d updates: %w", len(us), mapErr(err))
	}
	behindOf := make(map[int64]bool, len(rs)) // the updates stored now
	for _, r := range rs {
		behindOf[r.id] = r.behind
	}
	if len(rs) < len(us) { // some were stored before: redeliveries
		var again []int64
		for _, u := range us {
			if _, ok := behindOf[u.UpdateID]; !ok {
				again = append(again, u.UpdateID)
			}
		}
		if len(again) > 0 { // not only a second copy of one stored now
			ids, err := db.unhandled(ctx, again)
			if err != nil {
				return nil, nil, err
			}
			for _, id := range ids {
				behindOf[id] = true // fresh again, and behind
			}
		}
	}
	fresh, behind := make([]bool, len(us)), make([]bool, len(us))
	for i, u := range us {
		behind[i], fresh[i] = behindOf[u.UpdateID]
		delete(behindOf, u.UpdateID) // a second copy in the batch is a redelivery
	}
	return fresh, behind, nil
}

// refusedData reports an error caused by the value itself, not by the
// database's state: a data exception (class 22: bad encoding, a character
// jsonb refuses) or a value over a limit (class 54).
func refusedData(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (strings.HasPrefix(pg.Code, "22") || strings.HasPrefix(pg.Code, "54"))
}

// deadLetter sets one update aside: an update never stored, or a stored one
// still unhandled, which it marks done in the same statement. The UPDATE
// waits for a replica handling that update right now and then finds it
// done, so a handled update is never dead-lettered. It finds the update
// by its key: the handled test is written not to imply the predicate of
// updates_chat_pending, which a plan could otherwise read whole (see
// migration 0037).
const deadLetter = `WITH done AS (
		UPDATE updates SET processed_at = $5 WHERE update_id = $1 AND num_nulls(processed_at) = 1 RETURNING 1
	)
	INSERT INTO dead_updates (update_id, chat_id, payload, reason, failed_at)
	SELECT $1, $2, $3, $4, $5
	WHERE EXISTS (SELECT 1 FROM done) OR NOT EXISTS (SELECT 1 FROM updates WHERE update_id = $1)
	ON CONFLICT (update_id) DO NOTHING`

// DeadLetterUpdate sets an update aside with the reason (see domain.Store).
func (db *DB) DeadLetterUpdate(ctx context.Context, u domain.RawUpdate, reason string) (bool, error) {
	tag, err := db.pool.Exec(ctx, deadLetter, u.UpdateID, u.ChatID, u.Payload, reason, db.now())
	if err != nil {
		return false, fmt.Errorf("dead-letter update %d: %w", u.UpdateID, mapErr(err))
	}
	return tag.RowsAffected() == 1, nil
}

// setAsideStale moves every pending update received before $2 to the dead
// letters in one statement, marked done at $1.
const setAsideStale = `WITH stale AS (
		UPDATE updates SET processed_at = $1 WHERE processed_at IS NULL AND received_at < $2
		RETURNING update_id, chat_id, payload
	)
	INSERT INTO dead_updates (update_id, chat_id, payload, reason, failed_at)
	SELECT update_id, chat_id, convert_to(payload::text, 'UTF8'), $3, $1 FROM stale
	ON CONFLICT (update_id) DO NOTHING`

// SetAsideStaleUpdates dead-letters updates left unhandled for longer than
// maxAge (see domain.Store).
func (db *DB) SetAsideStaleUpdates(ctx context.Context, maxAge time.Duration, reason string) (int, error) {
	now := db.now()
	tag, err := db.pool.Exec(ctx, setAsideStale, now, now.Add(-maxAge), reason)
	if err != nil {
		return 0, fmt.Errorf("set aside stale updates: %w", mapErr(err))
	}
	return int(tag.RowsAffected()), nil
}

// pendingUpdates reads the updates in flight (updates_chat_pending),
// oldest first.
const pendingUpdates = `SELECT update_id, chat_id, payload FROM updates
	WHERE processed_at IS NULL ORDER BY update_id LIMIT $1`

// PendingUpdates lists stored, unhandled updates, oldest first.
func (db *DB) PendingUpdates(ctx context.Context, limit int) ([]domain.RawUpdate, error) {
	rows, err := db.pool.Query(ctx, pendingUpdates, limit)
	if err != nil {
		return nil, fmt.Errorf("pending updates: %w", err)
	}
	defer rows.Close()
	var out []domain.RawUpdate
	for rows.Next() {
		var u domain.RawUpdate
		if err := rows.Scan(&u.UpdateID, &u.ChatID, &u.Payload); err != nil {
			return nil, fmt.Errorf("pending updates: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// earlierPending reads the chat's entries of the index of updates in
// flight (updates_chat_pending).
const earlierPending = `SELECT update_id, chat_id, payload FROM updates
	WHERE processed_at IS NULL AND update_id < $2 AND chat_id = $1 AND received_at >= $3
	ORDER BY update_id`

// EarlierPendingUpdates lists the chat's unhandled updates before
// updateID received since then (see domain.Store).
func (db *DB) EarlierPendingUpdates(ctx context.Context, chatID, updateID int64, since time.Time) ([]domain.RawUpdate, error) {
	rows, err := db.pool.Query(ctx, earlierPending, chatID, updateID, since)
	if err != nil {
		return nil, fmt.Errorf("earlier pending updates: %w", err)
	}
	defer rows.Close()
	var out []domain.RawUpdate
	for rows.Next() {
		var u domain.RawUpdate
		if err := rows.Scan(&u.UpdateID, &u.ChatID, &u.Payload); err != nil {
			return nil, fmt.Errorf("earlier pending updates: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ClaimUpdate locks the update row; false when it was handled already.
func (t *tx) ClaimUpdate(ctx context.Context, updateID int64) (bool, error) {
	var processed bool
	err := t.tx.QueryRow(ctx, `SELECT processed_at IS NOT NULL FROM updates
		WHERE update_id = $1 FOR UPDATE`, updateID).Scan(&processed)
	if err != nil {
		return false, fmt.Errorf("claim update %d: %w", updateID, mapErr(err))
	}
	return !processed, nil
}

// FinishUpdate marks the update handled unless it was (see
// domain.UpdateStore): a deferred call of finish_update (migration 0033),
// which goes out with COMMIT and fails it for a duplicate.
func (t *tx) FinishUpdate(ctx context.Context, updateID int64) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT finish_update($1, $2)`, updateID, t.now())
	t.tx.Defer(b)
	return nil
}

// MarkUpdateProcessed records that the update was handled.
func (t *tx) MarkUpdateProcessed(ctx context.Context, updateID int64) error {
	_, err := t.tx.Exec(ctx, `UPDATE updates SET processed_at = $2 WHERE update_id = $1`, updateID, t.now())
	return mapErr(err)
}
