package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

type shopRow struct {
	ID       int64  `db:"id"`
	Code     string `db:"code"`
	Name     string `db:"name"`
	TimeZone string `db:"timezone"`
}

func (t *tx) findShop(ctx context.Context, where string, arg any) (*domain.Shop, error) {
	rows, _ := t.tx.Query(ctx, `SELECT id, code, name, timezone FROM stores WHERE `+where, arg)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[shopRow])
	if err != nil {
		return nil, mapErr(err)
	}
	s := domain.Shop(r)
	return &s, nil
}

// FindShopByCode finds a store by its code (case-insensitive, as people
// type codes from posters).
func (t *tx) FindShopByCode(ctx context.Context, code string) (*domain.Shop, error) {
	return t.findShop(ctx, `lower(code) = lower($1)`, code)
}

// FindShopByID finds a store by id.
func (t *tx) FindShopByID(ctx context.Context, id int64) (*domain.Shop, error) {
	return t.findShop(ctx, `id = $1`, id)
}

// SyncStores upserts the stores of the business config. Stores removed from
// the config are kept: purchases still point at them.
func (db *DB) SyncStores(ctx context.Context, stores []domain.StoreConfig) error {
	return pgx.BeginFunc(ctx, db.pool, func(t pgx.Tx) error {
		for _, s := range stores {
			// A code written in another case is the same store: codes are
			// looked up without regard to case (FindShopByCode).
			_, err := t.Exec(ctx, `UPDATE stores SET code = $1 WHERE lower(code) = lower($1) AND code <> $1`, s.Code)
			if err == nil {
				_, err = t.Exec(ctx, `INSERT INTO stores (code, name, timezone, created_at) VALUES ($1, $2, $3, $4)
					ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, timezone = EXCLUDED.timezone`,
					s.Code, s.Name, s.TimeZone, db.now())
			}
			if err != nil {
				return fmt.Errorf("sync store %s: %w", s.Code, err)
			}
		}
		return nil
	})
}
