package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestSyncStores: the config's stores are upserted by code: a renamed or
// moved store keeps its id (purchases point at it) and its created_at, a
// store gone from the config stays, and a new one is stamped with the
// business clock.
func TestSyncStores(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	if err := db.SyncStores(ctx, []domain.StoreConfig{
		{Code: "main", Name: "Main St", TimeZone: "Europe/Berlin"},
		{Code: "old", Name: "Old Town", TimeZone: "Europe/Berlin"},
	}); err != nil {
		t.Fatal(err)
	}
	created := clock.Now()
	var before map[string]*domain.Shop
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		before = map[string]*domain.Shop{}
		for _, code := range []string{"main", "old"} {
			s, err := tx.FindShopByCode(ctx, code)
			if err != nil {
				return err
			}
			before[code] = s
		}
		return nil
	})

	clock.Advance(24 * time.Hour)
	if err := db.SyncStores(ctx, []domain.StoreConfig{
		{Code: "main", Name: "Main Street", TimeZone: "Asia/Yerevan"},
		{Code: "new", Name: "New Mall", TimeZone: "UTC"},
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]domain.Shop{
		"main": {ID: before["main"].ID, Code: "main", Name: "Main Street", TimeZone: "Asia/Yerevan"},
		"old":  *before["old"],
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for code, w := range want {
			got, err := tx.FindShopByCode(ctx, code)
			if err != nil {
				return err
			}
			checkEqual(t, code, *got, w)
		}
		return nil
	})
	for code, at := range map[string]time.Time{"main": created, "old": created, "new": clock.Now()} {
		checkTime(t, code+" created_at", sqlOne[time.Time](t, db, `SELECT created_at FROM stores WHERE code = $1`, code), at)
	}
}

// TestFindShop: by code (case-insensitive: codes are typed from posters)
// or id; a missing store is ErrNotFound.
func TestFindShop(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	shop := addShop(t, db, "Main-1")
	addShop(t, db, "other")
	for _, tc := range []struct {
		name    string
		find    func(ctx context.Context, tx domain.Tx) (*domain.Shop, error)
		wantErr error
	}{
		{"code as configured", func(ctx context.Context, tx domain.Tx) (*domain.Shop, error) {
			return tx.FindShopByCode(ctx, "Main-1")
		}, nil},
		{"code in another case", func(ctx context.Context, tx domain.Tx) (*domain.Shop, error) {
			return tx.FindShopByCode(ctx, "mAIN-1")
		}, nil},
		{"id", func(ctx context.Context, tx domain.Tx) (*domain.Shop, error) {
			return tx.FindShopByID(ctx, shop.ID)
		}, nil},
		{"missing code", func(ctx context.Context, tx domain.Tx) (*domain.Shop, error) {
			return tx.FindShopByCode(ctx, "main")
		}, domain.ErrNotFound},
		{"missing id", func(ctx context.Context, tx domain.Tx) (*domain.Shop, error) {
			return tx.FindShopByID(ctx, 999)
		}, domain.ErrNotFound},
	} {
		var got *domain.Shop
		err := txErr(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			got, err = tc.find(ctx, tx)
			return err
		})
		if tc.wantErr != nil {
			checkErr(t, tc.name, err, tc.wantErr)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		checkEqual(t, tc.name, got, &domain.Shop{ID: shop.ID, Code: "Main-1", Name: "Shop Main-1", TimeZone: "Europe/Moscow"})
	}
}
