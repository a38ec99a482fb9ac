package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

type customerRow struct {
	ID            int64      `db:"id"`
	TelegramID    *int64     `db:"telegram_id"`
	ChatID        *int64     `db:"chat_id"`
	FirstName     string     `db:"first_name"`
	Phone         *string    `db:"phone"`
	Language      string     `db:"language"`
	JoinedStoreID *int64     `db:"joined_store_id"`
	JoinedAt      *time.Time `db:"joined_at"`
	Marketing     bool       `db:"marketing"`
	UnreachableAt *time.Time `db:"unreachable_at"`
	CreatedAt     time.Time  `db:"created_at"`
	ErasedAt      *time.Time `db:"erased_at"`
}

func (r customerRow) domain() *domain.Customer {
	c := &domain.Customer{
		ID:          r.ID,
		FirstName:   r.FirstName,
		Language:    r.Language,
		Marketing:   r.Marketing,
		Unreachable: r.UnreachableAt != nil,
		CreatedAt:   r.CreatedAt,
		Erased:      r.ErasedAt != nil,
	}
	c.TelegramID = deref(r.TelegramID)
	c.ChatID = deref(r.ChatID)
	c.Phone = deref(r.Phone)
	c.JoinedStoreID = deref(r.JoinedStoreID)
	c.JoinedAt = deref(r.JoinedAt)
	return c
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// nullable maps a zero value to SQL NULL.
func nullable[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

const customerColumns = `id, telegram_id, chat_id, first_name, phone, language, joined_store_id,
	joined_at, marketing, unreachable_at, created_at, erased_at`

func (t *tx) findCustomer(ctx context.Context, where string, arg any) (*domain.Customer, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+customerColumns+` FROM customers WHERE `+where, arg)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[customerRow])
	if err != nil {
		return nil, mapErr(err)
	}
	return r.domain(), nil
}

// FindCustomerByTelegramID finds the customer linked to a Telegram user.
func (t *tx) FindCustomerByTelegramID(ctx context.Context, telegramID int64) (*domain.Customer, error) {
	return t.findCustomer(ctx, `telegram_id = $1`, telegramID)
}

// FindCustomerByID finds a customer by id.
func (t *tx) FindCustomerByID(ctx context.Context, id int64) (*domain.Customer, error) {
	return t.findCustomer(ctx, `id = $1`, id)
}

const insertCustomer = `INSERT INTO customers
	(telegram_id, chat_id, first_name, phone, language, joined_store_id, joined_at, marketing, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
	RETURNING id, created_at`

// CreateCustomer inserts c and fills in its id.
func (t *tx) CreateCustomer(ctx context.Context, c *domain.Customer) error {
	err := t.tx.QueryRow(ctx, insertCustomer,
		nullable(c.TelegramID), nullable(c.ChatID), c.FirstName, nullable(c.Phone), c.Language,
		nullable(c.JoinedStoreID), nullable(c.JoinedAt), c.Marketing, t.stamp(c.CreatedAt),
	).Scan(&c.ID, &c.CreatedAt)
	if err != nil {
		return fmt.Errorf("create customer: %w", mapErr(err))
	}
	return nil
}

const updateCustomer = `UPDATE customers SET
	telegram_id = $2, chat_id = $3, first_name = $4, phone = $5, language = $6,
	joined_store_id = $7, joined_at = $8, marketing = $9
	WHERE id = $1`

// UpdateCustomer saves the mutable fields of c.
func (t *tx) UpdateCustomer(ctx context.Context, c *domain.Customer) error {
	tag, err := t.tx.Exec(ctx, updateCustomer, c.ID,
		nullable(c.TelegramID), nullable(c.ChatID), c.FirstName, nullable(c.Phone), c.Language,
		nullable(c.JoinedStoreID), nullable(c.JoinedAt), c.Marketing)
	if err != nil {
		return fmt.Errorf("update customer: %w", mapErr(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("update customer %d: %w", c.ID, domain.ErrNotFound)
	}
	return nil
}

// SetCustomerPhone sets a customer's phone inside a savepoint, so a phone
// another customer has gives ErrConflict and leaves the transaction
// usable, even when two people type the same number at once. A verified
// phone first takes the number from a customer who only typed it. It
// tells whether the number it replaced was verified (the joined row is
// the one before the update).
func (t *tx) SetCustomerPhone(ctx context.Context, customerID int64, phone string, verified bool) (bool, error) {
	var was bool
	err := pgx.BeginFunc(ctx, t.tx, func(sp pgx.Tx) error {
		if verified {
			if _, err := sp.Exec(ctx, `UPDATE customers SET phone = NULL
				WHERE phone = $2 AND id <> $1 AND NOT phone_verified`, customerID, phone); err != nil {
				return err
			}
		}
		return sp.QueryRow(ctx, `UPDATE customers c SET phone = $2, phone_verified = $3
			FROM customers o WHERE c.id = $1 AND o.id = c.id
			RETURNING o.phone IS NOT NULL AND o.phone_verified`, customerID, phone, verified).Scan(&was)
	})
	if err != nil {
		return false, fmt.Errorf("set customer phone: %w", mapErr(err))
	}
	return was, nil
}

// PhoneVerified reports whether the customer's phone was shared, not typed.
func (t *tx) PhoneVerified(ctx context.Context, customerID int64) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT phone IS NOT NULL AND phone_verified FROM customers WHERE id = $1`, customerID).Scan(&ok)
	return ok, mapErr(err)
}

// MarkChatReachable clears the unreachable mark of the chat's customer
// and staff member: they wrote to us again.
func (t *tx) MarkChatReachable(ctx context.Context, chatID int64) error {
	_, err := t.tx.Exec(ctx, `WITH s AS (UPDATE staff SET unreachable_at = NULL
			WHERE chat_id = $1 AND unreachable_at IS NOT NULL)
		UPDATE customers SET unreachable_at = NULL
		WHERE chat_id = $1 AND unreachable_at IS NOT NULL`, chatID)
	return mapErr(err)
}

// AppendConsent records a consent given or withdrawn, and keeps the
// customer's marketing flag in step with the newest marketing consent.
func (t *tx) AppendConsent(ctx context.Context, customerID int64, c domain.Consent) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO consents (customer_id, kind, version, granted, at)
		VALUES ($1, $2, $3, $4, $5)`, customerID, c.Kind, c.Version, c.Granted, c.At)
	if err != nil {
		return fmt.Errorf("append consent: %w", mapErr(err))
	}
	if c.Kind == domain.ConsentMarketing {
		if _, err := t.tx.Exec(ctx, `UPDATE customers SET marketing = $2 WHERE id = $1`, customerID, c.Granted); err != nil {
			return fmt.Errorf("append consent: %w", mapErr(err))
		}
	}
	return nil
}

type consentRow struct {
	Kind    string    `db:"kind"`
	Version string    `db:"version"`
	Granted bool      `db:"granted"`
	At      time.Time `db:"at"`
}

// ListConsents lists every consent record of a customer, oldest first.
func (t *tx) ListConsents(ctx context.Context, customerID int64) ([]domain.Consent, error) {
	rows, _ := t.tx.Query(ctx, `SELECT kind, version, granted, at FROM consents
		WHERE customer_id = $1 ORDER BY at, id`, customerID)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[consentRow])
	if err != nil {
		return nil, fmt.Errorf("list consents: %w", mapErr(err))
	}
	out := make([]domain.Consent, len(rs))
	for i, r := range rs {
		out[i] = domain.Consent(r)
	}
	return out, nil
}
