package postgres

import (
	"context"
	"fmt"

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
