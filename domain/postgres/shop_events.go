package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

const shopEventColumns = `id, store_id, event_id, customer_id, type, items, occurred_at, created_at, request_hash`

// scanShopEvent reads a row of shopEventColumns.
func scanShopEvent(row pgx.Row) (domain.ShopEvent, error) {
	var e domain.ShopEvent
	var items []byte
	err := row.Scan(&e.ID, &e.ShopID, &e.EventID, &e.CustomerID, &e.Type, &items, &e.OccurredAt,
		&e.CreatedAt, &e.RequestHash)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(items, &e.Items); err != nil {
		return e, fmt.Errorf("shop event %d: items: %w", e.ID, err)
	}
	return e, nil
}

// FindShopEvent returns the event a store sent with this id.
func (t *tx) FindShopEvent(ctx context.Context, shopID int64, eventID string) (*domain.ShopEvent, error) {
	e, err := scanShopEvent(t.tx.QueryRow(ctx, `SELECT `+shopEventColumns+` FROM shop_events
		WHERE store_id = $1 AND event_id = $2`, shopID, eventID))
	if err != nil {
		return nil, mapErr(err)
	}
	return &e, nil
}

// ListCustomerShopEvents lists a customer's events, oldest first.
func (t *tx) ListCustomerShopEvents(ctx context.Context, customerID int64) ([]domain.ShopEvent, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+shopEventColumns+` FROM shop_events WHERE customer_id = $1
		ORDER BY occurred_at, id`, customerID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.ShopEvent, error) { return scanShopEvent(r) })
	if err != nil {
		return nil, fmt.Errorf("list shop events: %w", mapErr(err))
	}
	return out, nil
}

// InsertShopEvent writes an event unless the store's event id is taken
// (then a concurrent request committed it first: Postgres waits for it).
func (t *tx) InsertShopEvent(ctx context.Context, e *domain.ShopEvent) (bool, error) {
	items, err := json.Marshal(e.Items)
	if err != nil {
		return false, fmt.Errorf("shop event items: %w", err)
	}
	e.CreatedAt = t.stamp(e.CreatedAt)
	err = t.tx.QueryRow(ctx, `INSERT INTO shop_events (store_id, event_id, customer_id, type, items, occurred_at,
		created_at, request_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (store_id, event_id) DO NOTHING RETURNING id`,
		e.ShopID, e.EventID, e.CustomerID, e.Type, items, e.OccurredAt, e.CreatedAt, e.RequestHash).Scan(&e.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert shop event: %w", mapErr(err))
	}
	return true, nil
}

// FindCustomerByPhone finds the customer with this phone.
func (t *tx) FindCustomerByPhone(ctx context.Context, phone string) (*domain.Customer, error) {
	return t.findCustomer(ctx, `phone = $1`, phone)
}
