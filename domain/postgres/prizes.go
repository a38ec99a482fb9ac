package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

const prizeColumns = `id, public_id, card_id, customer_id, store_id, staff_id, source, reward, points, stamps,
	idempotency_key, lot_ids, lot_points, created_at, cancelled_at, cancelled_by`

func scanPrize(row pgx.Row) (*domain.Prize, error) {
	var p domain.Prize
	var staff, by *int64
	var cancelled *time.Time
	var ids, points []int64
	err := row.Scan(&p.ID, &p.PublicID, &p.CardID, &p.CustomerID, &p.ShopID, &staff, &p.Source, &p.Reward, &p.Points, &p.Stamps,
		&p.IdempotencyKey, &ids, &points, &p.CreatedAt, &cancelled, &by)
	if err != nil {
		return nil, mapErr(err)
	}
	p.StaffID, p.CancelledAt, p.CancelledBy = deref(staff), deref(cancelled), deref(by)
	for i := range min(len(ids), len(points)) {
		p.Uses = append(p.Uses, domain.LotUse{LotID: ids[i], Points: points[i]})
	}
	return &p, nil
}

// FindPrizeByKey finds a prize by its idempotency key.
func (t *tx) FindPrizeByKey(ctx context.Context, key string) (*domain.Prize, error) {
	return scanPrize(t.tx.QueryRow(ctx, `SELECT `+prizeColumns+` FROM prizes_given WHERE idempotency_key = $1`, key))
}

// FindPrizeByPublicID finds a prize by its public id.
func (t *tx) FindPrizeByPublicID(ctx context.Context, publicID string) (*domain.Prize, error) {
	return scanPrize(t.tx.QueryRow(ctx, `SELECT `+prizeColumns+` FROM prizes_given WHERE public_id = $1`, publicID))
}

// InsertPrize records a prize given.
func (t *tx) InsertPrize(ctx context.Context, p *domain.Prize) error {
	ids, points := lotArrays(p.Uses)
	err := t.tx.QueryRow(ctx, `INSERT INTO prizes_given (public_id, card_id, customer_id, store_id, staff_id, source,
		reward, points, stamps, idempotency_key, lot_ids, lot_points, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		p.PublicID, p.CardID, p.CustomerID, p.ShopID, nullable(p.StaffID), p.Source, p.Reward, p.Points, p.Stamps,
		p.IdempotencyKey, ids, points, t.stamp(p.CreatedAt)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("insert prize: %w", mapErr(err))
	}
	return nil
}

// MarkPrizeCancelled records a prize's cancellation, once.
func (t *tx) MarkPrizeCancelled(ctx context.Context, id, byStaff int64, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE prizes_given SET cancelled_at = $3, cancelled_by = $2
		WHERE id = $1 AND cancelled_at IS NULL`, id, nullable(byStaff), t.stamp(at))
	if err != nil {
		return fmt.Errorf("cancel prize: %w", mapErr(err))
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("cancel prize %d: %w", id, domain.ErrConflict)
	}
	return nil
}

// CardPrizes lists a card's prizes since a time, newest first
// (prizes_given_card).
func (t *tx) CardPrizes(ctx context.Context, cardID int64, since time.Time, limit int) ([]domain.Prize, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+prizeColumns+` FROM prizes_given
		WHERE card_id = $1 AND created_at >= $2 ORDER BY created_at DESC, id DESC LIMIT $3`, cardID, since, limit)
	if err != nil {
		return nil, fmt.Errorf("card prizes: %w", mapErr(err))
	}
	defer rows.Close()
	var out []domain.Prize
	for rows.Next() {
		p, err := scanPrize(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, mapErr(rows.Err())
}

// StampBalance counts a card's stamps: its live purchases of at least
// minAmount since a time, one stamp each (purchases_card_live, read from
// the index alone), corrected by the few of another count
// (purchases_card_stamps), less the stamps of its prizes that stand given
// since that time too (prizes_given_card): a stamp card started again
// with a later since owes nothing for the prizes of the one before.
func (t *tx) StampBalance(ctx context.Context, cardID, minAmount int64, since time.Time) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT greatest(0,
		(SELECT count(*) FROM purchases WHERE card_id = $1 AND cancelled_at IS NULL AND created_at >= $3 AND amount >= $2)
		+ (SELECT coalesce(sum(stamps - 1), 0) FROM purchases
		    WHERE card_id = $1 AND cancelled_at IS NULL AND stamps <> 1 AND created_at >= $3 AND amount >= $2)
		- (SELECT coalesce(sum(stamps), 0) FROM prizes_given WHERE card_id = $1 AND cancelled_at IS NULL
		    AND created_at >= $3))::int`,
		cardID, minAmount, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("stamp balance: %w", mapErr(err))
	}
	return n, nil
}

// RecentPrizes lists the prizes given since a time (at a store), newest
// first (prizes_given_time).
func (t *tx) RecentPrizes(ctx context.Context, shopID int64, since time.Time, limit int) ([]domain.RecentPrize, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+prizeColumns+`,
		coalesce((SELECT c.first_name FROM customers c WHERE c.id = g.customer_id AND c.erased_at IS NULL), ''),
		coalesce((SELECT s.first_name FROM staff s WHERE s.id = g.staff_id), '')
		FROM prizes_given g WHERE g.created_at >= $2 AND ($1 = 0 OR g.store_id = $1)
		ORDER BY g.created_at DESC, g.id DESC LIMIT $3`, shopID, since, limit)
	if err != nil {
		return nil, fmt.Errorf("recent prizes: %w", mapErr(err))
	}
	defer rows.Close()
	var out []domain.RecentPrize
	for rows.Next() {
		var r domain.RecentPrize
		p, err := scanPrize(rowWith{rows, []any{&r.CustomerName, &r.StaffName}})
		if err != nil {
			return nil, err
		}
		r.Prize = *p
		out = append(out, r)
	}
	return out, mapErr(rows.Err())
}

// rowWith scans a row's leading columns as the wrapped scan wants and
// its trailing ones into extra.
type rowWith struct {
	pgx.Row
	extra []any
}

func (r rowWith) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.extra...)...) }
