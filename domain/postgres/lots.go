package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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

func (t *tx) moveLots(ctx context.Context, uses []domain.LotUse, sign int64) error {
	for _, u := range uses {
		tag, err := t.tx.Exec(ctx, `UPDATE point_lots SET remaining = remaining + $2 WHERE id = $1`, u.LotID, sign*u.Points)
		if err != nil {
			return fmt.Errorf("move lot %d: %w", u.LotID, mapErr(err))
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("move lot %d: %w", u.LotID, domain.ErrNotFound)
		}
	}
	return nil
}

// UseLots takes points from lots.
func (t *tx) UseLots(ctx context.Context, uses []domain.LotUse) error {
	return t.moveLots(ctx, uses, -1)
}

// RestoreLots gives points back to lots.
func (t *tx) RestoreLots(ctx context.Context, uses []domain.LotUse) error {
	return t.moveLots(ctx, uses, 1)
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
