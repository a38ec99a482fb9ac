package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain"
)

// senderHold is how long the transaction that wrote a message holds it for
// its own immediate send before the background sender may take over.
const senderHold = time.Minute

// Enqueue adds a message to the outbox. A row left to the background
// sender is a deferred write (its id is not returned): a purchase's
// reactions queue the customer's message without a round trip of its own.
func (t *tx) Enqueue(ctx context.Context, m domain.OutMessage, claim bool) (int64, error) {
	now := t.now()
	notBefore := m.NotBefore
	if notBefore.IsZero() {
		notBefore = now
	}
	if !claim {
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO outbox (chat_id, payload, not_before, created_at) VALUES ($1, $2, $3, $4)`,
			m.ChatID, []byte(m.Payload), notBefore, now)
		t.tx.Defer(b)
		return 0, nil
	}
	var claimed *time.Time
	if claim {
		// The lease is transport time: the wall clock, as in Claim.
		c := time.Now().Add(senderHold)
		claimed = &c
	}
	var id int64
	err := t.tx.QueryRow(ctx, `INSERT INTO outbox (chat_id, payload, not_before, claimed_until, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, m.ChatID, []byte(m.Payload), notBefore, claimed, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", mapErr(err))
	}
	return id, nil
}

// Outbox returns the outbox queue.
func (db *DB) Outbox() domain.Outbox { return &outbox{pool: db.pool, now: db.now} }

// outbox is the queue. A row is due when the business clock has reached
// its not_before (a nudge's time) and the wall clock its retry_at (a 429's
// retry_after, in Telegram's seconds); a sender's lease (claimed_until)
// is wall-clock time too.
type outbox struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

func scanOut(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close()
}) ([]domain.OutMessage, error) {
	defer rows.Close()
	var out []domain.OutMessage
	for rows.Next() {
		var m domain.OutMessage
		var payload []byte
		if err := rows.Scan(&m.ID, &m.ChatID, &payload, &m.NotBefore, &m.Attempts); err != nil {
			return nil, err
		}
		m.Payload = payload
		out = append(out, m)
	}
	return out, rows.Err()
}

// Claim takes due, unclaimed rows, oldest first, skipping rows another
// sender holds.
func (o *outbox) Claim(ctx context.Context, limit int, hold time.Duration) ([]domain.OutMessage, error) {
	rows, err := o.pool.Query(ctx, `UPDATE outbox SET claimed_until = now() + $2::interval, attempts = attempts + 1
		WHERE id IN (
			SELECT id FROM outbox
			 WHERE sent_at IS NULL AND dropped_at IS NULL AND not_before <= $3
			   AND (retry_at IS NULL OR retry_at <= now())
			   AND (claimed_until IS NULL OR claimed_until < now())
			 ORDER BY not_before, id
			 LIMIT $1
			 FOR UPDATE SKIP LOCKED)
		RETURNING id, chat_id, payload, not_before, attempts`, limit, hold.String(), o.now())
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	ms, err := scanOut(rows)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return ms, nil
}

// Get loads rows by id, in id order.
func (o *outbox) Get(ctx context.Context, ids []int64) ([]domain.OutMessage, error) {
	rows, err := o.pool.Query(ctx, `SELECT id, chat_id, payload, not_before, attempts FROM outbox
		WHERE id = ANY($1) AND sent_at IS NULL AND dropped_at IS NULL ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("get outbox: %w", err)
	}
	ms, err := scanOut(rows)
	if err != nil {
		return nil, fmt.Errorf("get outbox: %w", err)
	}
	return ms, nil
}

// MarkSentMany records delivered messages.
func (o *outbox) MarkSentMany(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := o.pool.Exec(ctx, `UPDATE outbox SET sent_at = $2, claimed_until = NULL WHERE id = ANY($1)`, ids, o.now())
	return err
}

// Retry releases a row to be tried again after at, a wall-clock time
// (Telegram's retry_after, a backoff): it is kept apart from not_before,
// the business time the message became due.
func (o *outbox) Retry(ctx context.Context, id int64, at time.Time, reason string) error {
	_, err := o.pool.Exec(ctx, `UPDATE outbox SET retry_at = $2, claimed_until = NULL, last_error = $3
		WHERE id = $1`, id, at, reason)
	return err
}

// Drop gives up on a row.
func (o *outbox) Drop(ctx context.Context, id int64, reason string) error {
	_, err := o.pool.Exec(ctx, `UPDATE outbox SET dropped_at = $3, claimed_until = NULL, last_error = $2
		WHERE id = $1`, id, reason, o.now())
	return err
}

// MarkUnreachable flags the chat's customer and drops what was queued for it.
func (o *outbox) MarkUnreachable(ctx context.Context, chatID int64) error {
	at := o.now()
	if _, err := o.pool.Exec(ctx, `UPDATE customers SET unreachable_at = $2
		WHERE chat_id = $1 AND unreachable_at IS NULL`, chatID, at); err != nil {
		return fmt.Errorf("mark unreachable: %w", err)
	}
	_, err := o.pool.Exec(ctx, `UPDATE outbox SET dropped_at = $2, last_error = 'blocked'
		WHERE chat_id = $1 AND sent_at IS NULL AND dropped_at IS NULL
		  AND (claimed_until IS NULL OR claimed_until < now())`, chatID, at)
	return err
}

// Pending counts rows neither sent nor dropped.
func (o *outbox) Pending(ctx context.Context) (int, error) {
	var n int
	err := o.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL`).Scan(&n)
	return n, err
}
