package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// ListCustomerPurchases lists a customer's purchases, oldest first.
func (t *tx) ListCustomerPurchases(ctx context.Context, customerID int64) ([]domain.Purchase, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+purchaseColumns+` FROM purchases
		WHERE card_id IN (SELECT id FROM cards WHERE customer_id = $1) ORDER BY id`, customerID)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[purchaseRow])
	if err != nil {
		return nil, fmt.Errorf("list customer purchases: %w", mapErr(err))
	}
	out := make([]domain.Purchase, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}

// EraseCustomer anonymises a customer in place. The row stays so that
// cards, ledger rows and purchases keep pointing at something and the
// owner's totals remain right.
func (t *tx) EraseCustomer(ctx context.Context, customerID int64, phoneHash []byte, at time.Time) error {
	if phoneHash != nil {
		if _, err := t.tx.Exec(ctx, `INSERT INTO erased_phones (phone_hash, erased_at) VALUES ($1, $2)
			ON CONFLICT (phone_hash) DO NOTHING`, phoneHash, at); err != nil {
			return fmt.Errorf("erase customer: %w", mapErr(err))
		}
	}
	var chat *int64
	if err := t.tx.QueryRow(ctx, `SELECT chat_id FROM customers WHERE id = $1 FOR UPDATE`, customerID).Scan(&chat); err != nil {
		return fmt.Errorf("erase customer: %w", mapErr(err))
	}
	for _, q := range []string{`DELETE FROM answers WHERE customer_id = $1`, `DELETE FROM facts WHERE customer_id = $1`,
		`DELETE FROM section_offers WHERE customer_id = $1`} {
		if _, err := t.tx.Exec(ctx, q, customerID); err != nil {
			return fmt.Errorf("erase customer: %w", mapErr(err))
		}
	}
	_, err := t.tx.Exec(ctx, `UPDATE customers SET telegram_id = NULL, chat_id = NULL, first_name = '',
		phone = NULL, language = '', marketing = false, erased_at = $2 WHERE id = $1`, customerID, at)
	if err != nil {
		return fmt.Errorf("erase customer: %w", mapErr(err))
	}
	if chat != nil {
		if _, err := t.tx.Exec(ctx, `UPDATE conversations SET flow = '', step = '', data = '{}' WHERE chat_id = $1`, *chat); err != nil {
			return fmt.Errorf("erase customer: %w", mapErr(err))
		}
	}
	return nil
}

// PhoneErased reports whether a phone hash belongs to an erased customer.
func (t *tx) PhoneErased(ctx context.Context, phoneHash []byte) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM erased_phones WHERE phone_hash = $1)`, phoneHash).Scan(&ok)
	return ok, mapErr(err)
}
