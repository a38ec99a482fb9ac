package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

type feedbackRow struct {
	ID         int64      `db:"id"`
	PurchaseID *int64     `db:"purchase_id"` // NULL: the store in general
	CustomerID int64      `db:"customer_id"`
	StoreID    int64      `db:"store_id"`
	StaffID    *int64     `db:"staff_id"`
	Stars      int        `db:"stars"`
	Comment    string     `db:"comment"`
	CreatedAt  time.Time  `db:"created_at"`
	UpdatedAt  time.Time  `db:"updated_at"`
	HandledBy  *int64     `db:"handled_by"`
	HandledAt  *time.Time `db:"handled_at"`
	Resolution string     `db:"resolution"`
}

func (r feedbackRow) domain() domain.Feedback {
	return domain.Feedback{ID: r.ID, PurchaseID: deref(r.PurchaseID), CustomerID: r.CustomerID, ShopID: r.StoreID,
		StaffID: deref(r.StaffID), Stars: r.Stars, Comment: r.Comment, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, HandledBy: deref(r.HandledBy), HandledAt: deref(r.HandledAt), Resolution: r.Resolution}
}

const feedbackColumns = `id, purchase_id, customer_id, store_id, staff_id, stars, comment, created_at,
	updated_at, handled_by, handled_at, resolution`

func (t *tx) findFeedback(ctx context.Context, where string, arg any) (*domain.Feedback, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+feedbackColumns+` FROM feedback WHERE `+where, arg)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[feedbackRow])
	if err != nil {
		return nil, mapErr(err)
	}
	f := r.domain()
	return &f, nil
}

// FindFeedbackByPurchase finds the rating of a purchase.
func (t *tx) FindFeedbackByPurchase(ctx context.Context, purchaseID int64) (*domain.Feedback, error) {
	return t.findFeedback(ctx, `purchase_id = $1`, purchaseID)
}

// FindGeneralFeedback finds the customer's newest general rating of a
// store given since then (feedback_general).
func (t *tx) FindGeneralFeedback(ctx context.Context, customerID, shopID int64, since time.Time) (*domain.Feedback, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+feedbackColumns+` FROM feedback
		WHERE purchase_id IS NULL AND customer_id = $1 AND store_id = $2 AND created_at >= $3
		ORDER BY created_at DESC, id DESC LIMIT 1`, customerID, shopID, since)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[feedbackRow])
	if err != nil {
		return nil, mapErr(err)
	}
	f := r.domain()
	return &f, nil
}

// LockFeedback loads a rating and locks it until the transaction ends.
func (t *tx) LockFeedback(ctx context.Context, id int64) (*domain.Feedback, error) {
	return t.findFeedback(ctx, `id = $1 FOR UPDATE`, id)
}

// SaveFeedback inserts a rating or updates its stars and comment.
func (t *tx) SaveFeedback(ctx context.Context, f *domain.Feedback) error {
	if f.ID != 0 {
		_, err := t.tx.Exec(ctx, `UPDATE feedback SET stars = $2, comment = $3, updated_at = $4 WHERE id = $1`,
			f.ID, f.Stars, f.Comment, t.stamp(f.UpdatedAt))
		return mapErr(err)
	}
	err := t.tx.QueryRow(ctx, `INSERT INTO feedback (purchase_id, customer_id, store_id, staff_id, stars, comment,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		nullable(f.PurchaseID), f.CustomerID, f.ShopID, nullable(f.StaffID), f.Stars, f.Comment,
		t.stamp(f.CreatedAt), t.stamp(f.UpdatedAt)).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("insert feedback: %w", mapErr(err))
	}
	return nil
}

// MarkFeedbackHandled records who handled a rating and how.
func (t *tx) MarkFeedbackHandled(ctx context.Context, id, staffID int64, resolution string, at time.Time) error {
	// handled_at keeps the first handling (the wait /stats measures);
	// answered, whether the customer ever got an answer.
	_, err := t.tx.Exec(ctx, `UPDATE feedback SET handled_by = $2, handled_at = coalesce(handled_at, $3), resolution = $4,
		answered = answered OR $4 IN ('`+domain.ResolutionReplied+`', '`+domain.ResolutionGoodwill+`') WHERE id = $1`,
		id, staffID, t.stamp(at), resolution)
	return mapErr(err)
}

// queueFeedbackRequest writes the request and its message in one
// statement, neither when the customer has a request due after $4; the
// request keeps its message's id (taken first, as a statement cannot
// update a row its own WITH inserts).
const queueFeedbackRequest = `
WITH msg AS (SELECT nextval('outbox_id_seq') AS id),
req AS (
  INSERT INTO feedback_requests (purchase_id, customer_id, due_at, outbox_id)
  SELECT p.id, $2, $3, msg.id FROM purchases p, msg
   WHERE p.public_id = $1
     AND NOT EXISTS (SELECT 1 FROM feedback_requests r WHERE r.customer_id = $2 AND r.due_at > $4)
  ON CONFLICT DO NOTHING
  RETURNING outbox_id)
INSERT INTO outbox (id, chat_id, payload, not_before, created_at, payloads)
SELECT outbox_id, $5, $6, $3, $7, $8 FROM req`

// WithdrawFeedbackRequest drops the rating request of a purchase while
// its message waits (not sent, not held by a sender), at.
func (t *tx) WithdrawFeedbackRequest(_ context.Context, purchaseID int64, at time.Time) error {
	b := &pgx.Batch{}
	b.Queue(`UPDATE outbox SET dropped_at = $2, last_error = 'not needed', payload = '{}', payloads = NULL
		WHERE id = (SELECT outbox_id FROM feedback_requests WHERE purchase_id = $1)
		  AND `+chatPending+` AND (claimed_until IS NULL OR claimed_until < now())`, purchaseID, at)
	// A cancelled visit's request that never went asked nobody: it does
	// not take the customer's one request of the period (the visit rung
	// up again, or the next one, is asked about). A rated visit's stays:
	// the customer has just said how it was.
	b.Queue(`DELETE FROM feedback_requests r
		WHERE r.purchase_id = $1
		  AND EXISTS (SELECT 1 FROM purchases p WHERE p.id = r.purchase_id AND p.cancelled_at IS NOT NULL)
		  AND EXISTS (SELECT 1 FROM outbox o WHERE o.id = r.outbox_id AND o.dropped_at IS NOT NULL AND o.sent_at IS NULL)`,
		purchaseID)
	t.tx.Defer(b)
	return nil
}

// QueueFeedbackRequest records a request and queues its message with the
// commit, unless the customer had one within the period.
func (t *tx) QueueFeedbackRequest(ctx context.Context, r domain.FeedbackRequest, m domain.OutMessage) error {
	b := &pgx.Batch{}
	b.Queue(queueFeedbackRequest, r.PurchasePublicID, r.CustomerID, r.Due, r.After, m.ChatID, []byte(m.Payload), t.now(),
		payloadsJSON(m.Payloads))
	t.tx.Defer(b)
	return nil
}

// LastPurchaseOf finds the customer's newest purchase not cancelled.
func (t *tx) LastPurchaseOf(ctx context.Context, customerID int64) (*domain.Purchase, error) {
	return t.findPurchase(ctx, `customer_id = $1 AND cancelled_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`, customerID)
}

// BoughtAt reports whether the customer has a purchase at the store.
func (t *tx) BoughtAt(ctx context.Context, customerID, shopID int64) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM purchases WHERE customer_id = $1 AND ($2 = 0 OR store_id = $2))`,
		customerID, shopID).Scan(&ok)
	return ok, mapErr(err)
}

// CustomerTotals counts the customer's purchases and spend, cancelled ones left out.
func (t *tx) CustomerTotals(ctx context.Context, customerID int64) (domain.CustomerTotals, error) {
	var c domain.CustomerTotals
	err := t.tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(amount), 0) FROM purchases
		WHERE customer_id = $1 AND cancelled_at IS NULL`, customerID).Scan(&c.Visits, &c.Spend)
	return c, mapErr(err)
}

// feedbackStats groups a day's ratings by store, then visits (by cashier,
// the POS first) before the store in general. A rating of a purchase
// cancelled since is left out, as the purchase is from every count
// (liveFeedback).
const feedbackStats = `
SELECT store_id, coalesce(staff_id, 0), purchase_id IS NULL AS general, count(*), sum(stars)
  FROM feedback f WHERE created_at >= $1 AND created_at < $2 AND ` + liveFeedback + `
 GROUP BY store_id, general, staff_id
 ORDER BY store_id, general, staff_id NULLS FIRST`

// liveFeedback is the condition on a rating f that it counts: of the
// store in general, or of a purchase not cancelled. A cancelled purchase
// (rung up by mistake, most often, and rung up again and rated again) is
// no visit in the reports, the cashier's checkouts or the customer's
// visits, and cannot be rated any more: its rating weighs nowhere. A
// purchase returned in full was a visit, and its rating an opinion of it
// (often the reason for the return): it counts; one cancelled after a
// return of part of it is a cancel (domain.Purchase.ReturnedInFull).
const liveFeedback = `NOT EXISTS (SELECT 1 FROM purchases p WHERE p.id = f.purchase_id
	AND p.cancelled_at IS NOT NULL AND NOT (p.amount = 0 AND p.returned_amount > 0))`

// FeedbackStats counts ratings first given in [from, to) per store and
// cashier, and each store's general ratings apart.
func (t *tx) FeedbackStats(ctx context.Context, from, to time.Time) ([]domain.FeedbackStat, error) {
	rows, _ := t.tx.Query(ctx, feedbackStats, from, to)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.FeedbackStat, error) {
		var s domain.FeedbackStat
		err := r.Scan(&s.ShopID, &s.StaffID, &s.General, &s.Count, &s.Stars)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("feedback stats: %w", mapErr(err))
	}
	return out, nil
}

// ListCustomerFeedback lists a customer's ratings, oldest first.
func (t *tx) ListCustomerFeedback(ctx context.Context, customerID int64) ([]domain.Feedback, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+feedbackColumns+` FROM feedback WHERE customer_id = $1
		ORDER BY created_at, id`, customerID)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[feedbackRow])
	if err != nil {
		return nil, fmt.Errorf("list customer feedback: %w", mapErr(err))
	}
	out := make([]domain.Feedback, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}

// listFeedbackDue walks the live purchases by time (purchases_live_time).
// It once walked each store's (purchases_store_time) through a join on
// stores, which stayed after the time index came and cost two pages a
// purchase for nothing: a purchase's store_id is never null and always
// a store.
const listFeedbackDue = `
SELECT DISTINCT ON (p.customer_id) p.id, p.public_id, p.customer_id, c.chat_id, c.language, p.store_id, p.created_at,
       coalesce(c.contact_from, 0), coalesce(c.contact_to, 0),
       coalesce((SELECT s.timezone FROM stores s WHERE s.id = c.joined_store_id), '')
  FROM purchases p
  JOIN customers c ON c.id = p.customer_id
 WHERE p.created_at > $1 AND p.created_at <= $2 AND p.cancelled_at IS NULL
   AND c.chat_id IS NOT NULL AND c.erased_at IS NULL AND c.unreachable_at IS NULL AND c.joined_at IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM feedback_requests r WHERE r.purchase_id = p.id)
   AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.purchase_id = p.id)
   AND NOT EXISTS (SELECT 1 FROM feedback_requests r
                    WHERE r.customer_id = p.customer_id AND r.due_at > p.created_at + $3::bigint * interval '1 second')
 ORDER BY p.customer_id, p.created_at, p.id
 LIMIT $4`

// ListFeedbackDue finds the visits the feedback job may ask about.
func (t *tx) ListFeedbackDue(ctx context.Context, from, to time.Time, gap time.Duration, limit int) ([]domain.FeedbackDue, error) {
	rows, err := t.tx.Query(ctx, listFeedbackDue, from, to, int64(gap/time.Second), limit)
	if err != nil {
		return nil, fmt.Errorf("list feedback due: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.FeedbackDue, error) {
		var d domain.FeedbackDue
		var chat *int64
		err := r.Scan(&d.PurchaseID, &d.PublicID, &d.CustomerID, &chat, &d.Language, &d.ShopID, &d.CreatedAt,
			&d.Window.From, &d.Window.To, &d.TimeZone)
		d.ChatID = deref(chat)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("list feedback due: %w", mapErr(err))
	}
	return out, nil
}

// LastReviewInvite is when the customer was last asked to review the store.
func (t *tx) LastReviewInvite(ctx context.Context, customerID, shopID int64) (time.Time, error) {
	var at *time.Time
	err := t.tx.QueryRow(ctx, `SELECT max(invited_at) FROM review_invites WHERE customer_id = $1 AND store_id = $2`,
		customerID, shopID).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("last review invite: %w", mapErr(err))
	}
	return deref(at), nil
}

// AddReviewInvite records an invitation to review a store.
func (t *tx) AddReviewInvite(ctx context.Context, customerID, shopID int64, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO review_invites (customer_id, store_id, invited_at) VALUES ($1, $2, $3)`,
		customerID, shopID, t.stamp(at))
	if err != nil {
		return fmt.Errorf("add review invite: %w", mapErr(err))
	}
	return nil
}

// ListMissedAlerts lists the low ratings nobody handled of which chat $1
// had no alert sent, nor one waiting (see domain.FeedbackStore).
func (t *tx) ListMissedAlerts(ctx context.Context, chatID, shopID int64, maxStars int, since time.Time, limit int) ([]domain.MissedAlert, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+feedbackColumnsOf("f")+` FROM feedback f
		JOIN customers c ON c.id = f.customer_id
		WHERE f.stars <= $3 AND f.handled_by IS NULL AND f.created_at >= $4
		  AND ($2 = 0 OR f.store_id = $2)
		  AND c.erased_at IS NULL AND `+liveFeedback+`
		  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.about_feedback_id = f.id AND o.chat_id = $1
		                   AND o.dropped_at IS NULL
		                   -- a comment added since the alert that came: its own alert missed
		                   AND (f.comment = '' OR o.created_at >= f.updated_at))
		ORDER BY f.created_at DESC, f.id DESC LIMIT $5`, chatID, shopID, maxStars, since, limit)
	fs, err := pgx.CollectRows(rows, pgx.RowToStructByName[feedbackRow])
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]domain.MissedAlert, 0, len(fs))
	for _, r := range fs {
		a := domain.MissedAlert{Feedback: r.domain()}
		if a.Feedback.PurchaseID != 0 {
			if a.Purchase, err = t.findPurchase(ctx, `id = $1`, a.Feedback.PurchaseID); err != nil {
				return nil, err
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// feedbackColumnsOf is feedbackColumns of the table aliased as alias.
func feedbackColumnsOf(alias string) string {
	cols := strings.Split(feedbackColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
