package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// livePromotionColumns reads a live_promotions row (alias l) for
// scanLivePromotion; a promotion stopped early ends when it was stopped.
const livePromotionColumns = `l.id, l.multiplier, coalesce(l.store_id, 0), l.title, l.starts_at,
	least(l.ends_at, coalesce(l.stopped_at, l.ends_at)), l.min_amount`

func scanLivePromotion(row pgx.CollectableRow) (domain.Promotion, error) {
	p := domain.Promotion{Live: true}
	var n int64
	if err := row.Scan(&n, &p.Multiplier, &p.ShopID, &p.Title, &p.Start, &p.End, &p.MinAmount); err != nil {
		return p, err
	}
	p.ID = domain.LiveID(n)
	return p, nil
}

// CreateLivePromotion stores a promotion started from the chat.
func (t *tx) CreateLivePromotion(ctx context.Context, p *domain.Promotion, by int64) error {
	var n int64
	err := t.tx.QueryRow(ctx, `INSERT INTO live_promotions (multiplier, store_id, title, starts_at, ends_at, created_by, min_amount)
		VALUES ($1, nullif($2, 0), $3, $4, $5, $6, $7) RETURNING id`,
		p.Multiplier, p.ShopID, p.Title, p.Start, p.End, by, p.MinAmount).Scan(&n)
	if err != nil {
		return fmt.Errorf("create live promotion: %w", mapErr(err))
	}
	p.ID = domain.LiveID(n)
	t.live = nil // read again: this one runs now
	return nil
}

// openLivePromotions reads the live promotions of every store that are
// not stopped and end after $1, the highest multiplier first. The index
// holds the ones not stopped by their end: a handful.
const openLivePromotions = `SELECT ` + livePromotionColumns + ` FROM live_promotions l
	WHERE l.stopped_at IS NULL AND l.ends_at > $1
	ORDER BY l.multiplier DESC, l.id`

// liveRead is a read of openLivePromotions at a time, queued with other
// statements; done once its results came back.
type liveRead struct {
	at   time.Time
	ps   []domain.Promotion
	done bool
}

// queueLive queues the read on b and makes it the transaction's.
func (t *tx) queueLive(b *pgx.Batch, at time.Time) {
	r := &liveRead{at: at}
	t.live = r
	b.Queue(openLivePromotions, at).Query(func(rows pgx.Rows) error {
		ps, err := pgx.CollectRows(rows, scanLivePromotion)
		r.ps, r.done = ps, err == nil
		return err
	})
}

// PrefetchLivePromotions queues the read LivePromotionsAt answers from,
// to go out with the transaction's next statement instead of in a round
// trip of its own.
func (t *tx) PrefetchLivePromotions() {
	b := &pgx.Batch{}
	t.queueLive(b, t.now())
	t.tx.Defer(b)
}

// LivePromotionsAt lists those running at t at the store, or at every
// store, the highest multiplier first. It answers from the transaction's
// read of the open ones (PrefetchLivePromotions, domain.ReadLivePromotions)
// when that was made at t or before and the transaction has started or
// stopped none since: reading them earlier in the transaction is as if
// it had; else it reads them now.
func (t *tx) LivePromotionsAt(ctx context.Context, shopID int64, at time.Time) ([]domain.Promotion, error) {
	r := t.live
	switch {
	case r == nil || at.Before(r.at):
		b := &pgx.Batch{}
		t.queueLive(b, at)
		if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
			return nil, fmt.Errorf("live promotions: %w", mapErr(err))
		}
		r = t.live
	case !r.done: // queued, not sent yet
		if err := t.tx.flush(ctx); err != nil {
			return nil, fmt.Errorf("live promotions: %w", err)
		}
	}
	if !r.done {
		return nil, fmt.Errorf("live promotions: the read did not come back")
	}
	var out []domain.Promotion
	for _, p := range r.ps {
		if (p.ShopID == 0 || p.ShopID == shopID) && p.At("", at) {
			out = append(out, p)
		}
	}
	return out, nil
}

// LivePromotionsRanAt lists those that ran at t at the store, or at
// every store, stopped since or not, the highest multiplier first.
func (t *tx) LivePromotionsRanAt(ctx context.Context, shopID int64, at time.Time) ([]domain.Promotion, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+livePromotionColumns+` FROM live_promotions l
		WHERE l.starts_at <= $2 AND least(l.ends_at, coalesce(l.stopped_at, l.ends_at)) > $2
		  AND (l.store_id IS NULL OR l.store_id = $1)
		ORDER BY l.multiplier DESC, l.id`, shopID, at)
	if err != nil {
		return nil, fmt.Errorf("live promotions at %s: %w", at, mapErr(err))
	}
	ps, err := pgx.CollectRows(rows, scanLivePromotion)
	return ps, mapErr(err)
}

// OpenLivePromotions lists those not stopped that end after t, at the
// store and every store (0: all), the soonest ending first.
func (t *tx) OpenLivePromotions(ctx context.Context, shopID int64, at time.Time) ([]domain.Promotion, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+livePromotionColumns+` FROM live_promotions l
		WHERE l.stopped_at IS NULL AND l.ends_at > $2
		  AND ($1 = 0 OR l.store_id IS NULL OR l.store_id = $1)
		ORDER BY l.ends_at, l.id`, shopID, at)
	if err != nil {
		return nil, fmt.Errorf("open live promotions: %w", mapErr(err))
	}
	ps, err := pgx.CollectRows(rows, scanLivePromotion)
	return ps, mapErr(err)
}

// FindLivePromotion reads live promotion n.
func (t *tx) FindLivePromotion(ctx context.Context, n int64) (*domain.Promotion, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+livePromotionColumns+` FROM live_promotions l WHERE l.id = $1`, n)
	if err != nil {
		return nil, mapErr(err)
	}
	p, err := pgx.CollectExactlyOneRow(rows, scanLivePromotion)
	if err != nil {
		return nil, mapErr(err)
	}
	return &p, nil
}

// StopLivePromotion stops live promotion n at t unless it is over.
func (t *tx) StopLivePromotion(ctx context.Context, n, by int64, at time.Time) (bool, error) {
	t.live = nil
	tag, err := t.tx.Exec(ctx, `UPDATE live_promotions SET stopped_at = $3, stopped_by = $2
		WHERE id = $1 AND stopped_at IS NULL AND ends_at > $3`, n, by, at)
	if err != nil {
		return false, fmt.Errorf("stop live promotion: %w", mapErr(err))
	}
	return tag.RowsAffected() == 1, nil
}

// AnyLivePromotion says whether one was ever started.
func (t *tx) AnyLivePromotion(ctx context.Context) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM live_promotions)`).Scan(&ok)
	return ok, mapErr(err)
}

// ClaimEndedLivePromotions marks the ended ones not reported yet as
// reported, two jobs never claiming one twice (SKIP LOCKED).
func (t *tx) ClaimEndedLivePromotions(ctx context.Context, at time.Time, limit int) ([]domain.EndedPromotion, error) {
	rows, err := t.tx.Query(ctx, `UPDATE live_promotions l SET reported_at = $1
		WHERE l.id IN (SELECT id FROM live_promotions
			WHERE reported_at IS NULL AND least(ends_at, coalesce(stopped_at, ends_at)) <= $1
			ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING `+livePromotionColumns+`, l.created_by`, at, limit)
	if err != nil {
		return nil, fmt.Errorf("claim ended live promotions: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.EndedPromotion, error) {
		e := domain.EndedPromotion{Promotion: domain.Promotion{Live: true}}
		var n int64
		err := row.Scan(&n, &e.Promotion.Multiplier, &e.Promotion.ShopID, &e.Promotion.Title, &e.Promotion.Start,
			&e.Promotion.End, &e.Promotion.MinAmount, &e.StartedBy)
		e.Promotion.ID = domain.LiveID(n)
		return e, err
	})
	return out, mapErr(err)
}

// PromotionResult sums the purchases under the promotion that stand, at
// store shopID (0: every store).
func (t *tx) PromotionResult(ctx context.Context, id string, shopID int64) (domain.PromotionStat, error) {
	r := domain.PromotionStat{ID: id}
	err := t.tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(amount), 0)::bigint, coalesce(sum(points_earned), 0)::bigint
		FROM purchases WHERE promotion = $1 AND cancelled_at IS NULL AND ($2 = 0 OR store_id = $2)`,
		id, shopID).Scan(&r.Purchases, &r.Revenue, &r.Earned)
	return r, mapErr(err)
}
