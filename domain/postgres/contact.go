package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// FindContactWindow reads the customer's window; NULLs are any time.
func (t *tx) FindContactWindow(ctx context.Context, customerID int64) (domain.ContactWindow, error) {
	var from, to *int
	err := t.tx.QueryRow(ctx, `SELECT contact_from, contact_to FROM customers WHERE id = $1`, customerID).Scan(&from, &to)
	if err != nil {
		return domain.ContactWindow{}, fmt.Errorf("find contact window: %w", mapErr(err))
	}
	return domain.ContactWindow{From: deref(from), To: deref(to)}, nil
}

// SetContactWindow saves the window; any time is stored as NULLs.
func (t *tx) SetContactWindow(ctx context.Context, customerID int64, w domain.ContactWindow) error {
	var from, to *int
	if !w.Any() {
		from, to = &w.From, &w.To
	}
	tag, err := t.tx.Exec(ctx, `UPDATE customers SET contact_from = $2, contact_to = $3 WHERE id = $1`, customerID, from, to)
	if err != nil {
		return fmt.Errorf("set contact window: %w", mapErr(err))
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("set contact window of customer %d: %w", customerID, domain.ErrNotFound)
	}
	return nil
}

// retimeQueued moves chat $1's pending messages of customer $2's nudges
// waiting for a time after $4 (the quiet hours, the old window) to $3,
// unless a sender holds them (a lease is transport time: now()), and
// their nudges' send time and attribution window with them.
const retimeQueued = `WITH moved AS (
UPDATE outbox o SET not_before = $3
  FROM nudges n
 WHERE o.chat_id = $1 AND ` + chatPending + `
   AND o.nudge_id = n.id AND n.customer_id = $2
   AND o.not_before > $4
   AND (o.claimed_until IS NULL OR o.claimed_until < now())
RETURNING o.nudge_id)
UPDATE nudges SET send_at = $3, attribute_until = attribute_until + ($3::timestamptz - send_at)
 WHERE id IN (SELECT nudge_id FROM moved)`

// RetimeQueuedNudges moves the customer's waiting nudges to at (see
// domain.ContactStore).
func (t *tx) RetimeQueuedNudges(ctx context.Context, customerID, chatID int64, at, now time.Time) error {
	if _, err := t.tx.Exec(ctx, retimeQueued, chatID, customerID, at, now); err != nil {
		return fmt.Errorf("retime queued nudges: %w", mapErr(err))
	}
	return nil
}
