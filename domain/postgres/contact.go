package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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

// listWaitingFeedbackRequests lists customer $1's rating requests whose
// message waits in chat $2's outbox for a time after $3, not held by a
// sender (a lease is transport time: now()).
const listWaitingFeedbackRequests = `
SELECT r.purchase_id, p.store_id, p.created_at
  FROM feedback_requests r
  JOIN outbox o ON o.id = r.outbox_id
  JOIN purchases p ON p.id = r.purchase_id
 WHERE r.customer_id = $1 AND o.chat_id = $2 AND num_nulls(o.sent_at, o.dropped_at) = 2
   AND o.not_before > $3
   AND (o.claimed_until IS NULL OR o.claimed_until < now())
 ORDER BY r.purchase_id`

// ListWaitingFeedbackRequests lists the customer's waiting rating
// requests (see domain.ContactStore).
func (t *tx) ListWaitingFeedbackRequests(ctx context.Context, customerID, chatID int64, now time.Time) ([]domain.WaitingFeedbackRequest, error) {
	rows, _ := t.tx.Query(ctx, listWaitingFeedbackRequests, customerID, chatID, now)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.WaitingFeedbackRequest, error) {
		var w domain.WaitingFeedbackRequest
		err := r.Scan(&w.PurchaseID, &w.ShopID, &w.VisitAt)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("list waiting feedback requests: %w", mapErr(err))
	}
	return out, nil
}

// retimeFeedbackRequest moves purchase $1's rating request, while its
// message waits in chat $2's outbox for a time after $4 and no sender
// holds it, to $3: the message and the request's due time.
const retimeFeedbackRequest = `WITH moved AS (
UPDATE outbox o SET not_before = $3
 WHERE o.id = (SELECT outbox_id FROM feedback_requests WHERE purchase_id = $1)
   AND o.chat_id = $2 AND ` + chatPending + `
   AND o.not_before > $4
   AND (o.claimed_until IS NULL OR o.claimed_until < now())
RETURNING o.id)
UPDATE feedback_requests SET due_at = $3
 WHERE purchase_id = $1 AND outbox_id IN (SELECT id FROM moved)`

// RetimeFeedbackRequest moves a waiting rating request to at (see
// domain.ContactStore).
func (t *tx) RetimeFeedbackRequest(ctx context.Context, purchaseID, chatID int64, at, now time.Time) error {
	if _, err := t.tx.Exec(ctx, retimeFeedbackRequest, purchaseID, chatID, at, now); err != nil {
		return fmt.Errorf("retime feedback request: %w", mapErr(err))
	}
	return nil
}
