package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/loyaltybot/loyaltybot/domain"
)

// LockCard loads a card FOR UPDATE.
func (t *tx) LockCard(ctx context.Context, cardID int64) (*domain.Card, error) {
	c, err := t.findCard(ctx, `id = $1 FOR UPDATE`, cardID)
	if err != nil {
		return nil, fmt.Errorf("lock card %d: %w", cardID, err)
	}
	return c, nil
}

type lotRow struct {
	ID        int64      `db:"id"`
	Kind      string     `db:"kind"`
	Remaining int64      `db:"remaining"`
	ExpiresAt *time.Time `db:"expires_at"`
	CreatedAt time.Time  `db:"created_at"`
}

// ListOpenLots lists lots with points left, oldest first.
func (t *tx) ListOpenLots(ctx context.Context, cardID int64) ([]domain.Lot, error) {
	rows, _ := t.tx.Query(ctx, `SELECT id, kind, remaining, expires_at, created_at FROM point_lots
		WHERE card_id = $1 AND remaining > 0 ORDER BY id`, cardID)
	lots, err := collectLots(rows)
	if err != nil {
		return nil, fmt.Errorf("list lots: %w", mapErr(err))
	}
	return lots, nil
}

// OpenLotsOfKeys lists the card's open lots the ledger rows of keys put
// there.
func (t *tx) OpenLotsOfKeys(ctx context.Context, cardID int64, keys []string) ([]int64, error) {
	rows, _ := t.tx.Query(ctx, `SELECT p.id FROM point_lots p JOIN ledger g ON g.id = p.ledger_id
		WHERE p.card_id = $1 AND p.remaining > 0 AND g.idempotency_key = ANY($2) ORDER BY p.id`, cardID, keys)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("lots of keys: %w", mapErr(err))
	}
	return ids, nil
}

func collectLots(rows pgx.Rows) ([]domain.Lot, error) {
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[lotRow])
	if err != nil {
		return nil, err
	}
	out := make([]domain.Lot, len(rs))
	for i, r := range rs {
		out[i] = domain.Lot{ID: r.ID, Kind: domain.LotKind(r.Kind), Remaining: r.Remaining, ExpiresAt: deref(r.ExpiresAt), CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// lotArrays splits uses into lot ids and points, for unnest.
func lotArrays(uses []domain.LotUse) (ids, points []int64) {
	ids, points = make([]int64, len(uses)), make([]int64, len(uses))
	for i, u := range uses {
		ids[i], points[i] = u.LotID, u.Points
	}
	return ids, points
}

// queueMoveLots queues one statement moving every lot by sign × its
// points; it fails with ErrNotFound unless every lot exists.
func queueMoveLots(b *pgx.Batch, ids, points []int64, sign int64) {
	b.Queue(`UPDATE point_lots l SET remaining = l.remaining + $3 * u.points
		FROM unnest($1::bigint[], $2::bigint[]) AS u(id, points) WHERE l.id = u.id`,
		ids, points, sign).Exec(func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() != int64(len(ids)) {
			return fmt.Errorf("move lots %v: %d of %d found: %w", ids, ct.RowsAffected(), len(ids), domain.ErrNotFound)
		}
		return nil
	})
}

func (t *tx) moveLots(ctx context.Context, uses []domain.LotUse, sign int64) error {
	if len(uses) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	ids, points := lotArrays(uses)
	queueMoveLots(b, ids, points, sign)
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("move lots: %w", mapErr(err))
	}
	return nil
}

// UseLots takes points from lots.
func (t *tx) UseLots(ctx context.Context, uses []domain.LotUse) error {
	return t.moveLots(ctx, uses, -1)
}

// restoreLots gives back the points of uses ($1, $2) for the credit row
// $5 of card $4: into each lot not expired at $3, and those of the lots
// expired then as one new regular lot of the row, made at $6 with no own
// expiry, as points earned are. With $7 (the card idle: its regular lots
// go at the next read) regular lots count as expired too and the new lot
// is a promo one expiring at $7. It returns how many lots uses named
// that exist, and the points of the new lot.
const restoreLots = `WITH u AS (
	SELECT l.id, u.points, coalesce(l.expires_at <= $3, false) OR ($7::timestamptz IS NOT NULL AND l.kind = 'regular') AS dead
	  FROM unnest($1::bigint[], $2::bigint[]) AS u(id, points) JOIN point_lots l ON l.id = u.id
), live AS (
	UPDATE point_lots l SET remaining = l.remaining + u.points FROM u WHERE l.id = u.id AND NOT u.dead
	RETURNING l.id
), fresh AS (
	INSERT INTO point_lots (card_id, ledger_id, kind, amount, remaining, expires_at, created_at)
	SELECT $4, $5, CASE WHEN $7::timestamptz IS NULL THEN 'regular' ELSE 'promo' END, sum(u.points), sum(u.points), $7, $6
	  FROM u WHERE u.dead HAVING count(*) > 0
	RETURNING amount
)
SELECT (SELECT count(*) FROM u), coalesce((SELECT amount FROM fresh), 0)::bigint`

// RestoreLots gives points back to the lots they came from, for the
// credit row e: into those still live at now, and those of lots expired
// by then as one new regular lot of e. One round trip.
func (t *tx) RestoreLots(ctx context.Context, e domain.LedgerEntry, uses []domain.LotUse, now, keepUntil time.Time) (int64, error) {
	if len(uses) == 0 {
		return 0, nil
	}
	ids, points := lotArrays(uses)
	var found, renewed int64
	var keep *time.Time
	if !keepUntil.IsZero() {
		keep = &keepUntil
	}
	err := t.tx.QueryRow(ctx, restoreLots, ids, points, now, e.CardID, e.ID, t.stamp(e.CreatedAt), keep).Scan(&found, &renewed)
	if err != nil {
		return 0, fmt.Errorf("restore lots: %w", mapErr(err))
	}
	if found != int64(len(ids)) {
		return 0, fmt.Errorf("restore lots %v: %d of %d found: %w", ids, found, len(ids), domain.ErrNotFound)
	}
	return renewed, nil
}

// ListLotUses lists the lots that paid a purchase.
func (t *tx) ListLotUses(ctx context.Context, purchaseID int64) ([]domain.LotUse, error) {
	rows, _ := t.tx.Query(ctx, `SELECT lot_id, points FROM lot_uses WHERE purchase_id = $1 ORDER BY lot_id`, purchaseID)
	uses, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.LotUse, error) {
		var u domain.LotUse
		err := r.Scan(&u.LotID, &u.Points)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("list lot uses: %w", mapErr(err))
	}
	return uses, nil
}
