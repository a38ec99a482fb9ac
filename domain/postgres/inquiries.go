package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

type inquiryRow struct {
	ID         int64      `db:"id"`
	CustomerID int64      `db:"customer_id"`
	StoreID    *int64     `db:"store_id"`
	Text       string     `db:"text"`
	CreatedAt  time.Time  `db:"created_at"`
	HandledBy  *int64     `db:"handled_by"`
	HandledAt  *time.Time `db:"handled_at"`
	Resolution string     `db:"resolution"`
	Photo      string     `db:"photo"`
}

func (r inquiryRow) domain() domain.Inquiry {
	return domain.Inquiry{ID: r.ID, CustomerID: r.CustomerID, ShopID: deref(r.StoreID), Text: r.Text, CreatedAt: r.CreatedAt,
		HandledBy: deref(r.HandledBy), HandledAt: deref(r.HandledAt), Resolution: r.Resolution, Photo: r.Photo}
}

const inquiryColumns = `id, customer_id, store_id, text, created_at, handled_by, handled_at, resolution, photo`

// InsertInquiry stores a member's question.
func (t *tx) InsertInquiry(ctx context.Context, q *domain.Inquiry) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO inquiries (customer_id, store_id, text, created_at, photo)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, q.CustomerID, nullable(q.ShopID), q.Text, t.stamp(q.CreatedAt), q.Photo).Scan(&q.ID)
	if err != nil {
		return fmt.Errorf("insert inquiry: %w", mapErr(err))
	}
	return nil
}

// CountInquiriesSince counts a customer's questions asked since then.
func (t *tx) CountInquiriesSince(ctx context.Context, customerID int64, since time.Time) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT count(*) FROM inquiries WHERE customer_id = $1 AND created_at >= $2`,
		customerID, since).Scan(&n)
	return n, mapErr(err)
}

// LockInquiry loads a question FOR UPDATE.
func (t *tx) LockInquiry(ctx context.Context, id int64) (*domain.Inquiry, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+inquiryColumns+` FROM inquiries WHERE id = $1 FOR UPDATE`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[inquiryRow])
	if err != nil {
		return nil, mapErr(err)
	}
	q := r.domain()
	return &q, nil
}

// MarkInquiryHandled records who handled a question and how.
func (t *tx) MarkInquiryHandled(ctx context.Context, id, staffID int64, resolution string, at time.Time) error {
	// handled_at keeps the first handling; answered, whether the
	// customer ever got an answer.
	_, err := t.tx.Exec(ctx, `UPDATE inquiries SET handled_by = $2, handled_at = coalesce(handled_at, $3), resolution = $4,
		answered = answered OR $4 = '`+domain.ResolutionReplied+`' WHERE id = $1`,
		id, staffID, t.stamp(at), resolution)
	return mapErr(err)
}

// ListCustomerInquiries lists a customer's questions, oldest first.
func (t *tx) ListCustomerInquiries(ctx context.Context, customerID int64) ([]domain.Inquiry, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+inquiryColumns+` FROM inquiries WHERE customer_id = $1 ORDER BY created_at, id`, customerID)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[inquiryRow])
	if err != nil {
		return nil, fmt.Errorf("list inquiries: %w", mapErr(err))
	}
	out := make([]domain.Inquiry, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}

// ListOpenInquiries lists the questions of [from, to) nobody handled
// (inquiries_open), with the customer's first name; one whose customer
// erased their data is nobody's to answer.
func (t *tx) ListOpenInquiries(ctx context.Context, from, to time.Time) ([]domain.OpenInquiry, error) {
	rows, _ := t.tx.Query(ctx, `SELECT q.id, q.customer_id, q.store_id, q.text, q.photo, q.created_at, c.first_name
		FROM inquiries q JOIN customers c ON c.id = q.customer_id
		WHERE q.handled_by IS NULL AND q.resolution <> '`+domain.ResolutionErased+`' AND q.created_at >= $1 AND q.created_at < $2 ORDER BY q.created_at, q.id`, from, to)
	var out []domain.OpenInquiry
	for rows.Next() {
		var q domain.OpenInquiry
		var store *int64
		if err := rows.Scan(&q.ID, &q.CustomerID, &store, &q.Text, &q.Photo, &q.CreatedAt, &q.CustomerName); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		q.ShopID = deref(store)
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list open inquiries: %w", mapErr(err))
	}
	return out, nil
}
