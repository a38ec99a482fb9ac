package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

type waitlistRow struct {
	ID        int64      `db:"id"`
	Code      string     `db:"code"`
	Name      string     `db:"name"`
	PhotoID   string     `db:"photo_file_id"`
	StoreID   *int64     `db:"store_id"`
	CreatedBy int64      `db:"created_by"`
	CreatedAt time.Time  `db:"created_at"`
	ClosedAt  *time.Time `db:"closed_at"`
	ClosedBy  *int64     `db:"closed_by"`
	Waiting   int        `db:"waiting"`
}

func (r waitlistRow) domain() domain.Waitlist {
	return domain.Waitlist{ID: r.ID, Code: r.Code, Name: r.Name, PhotoID: r.PhotoID, ShopID: deref(r.StoreID),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ClosedAt: deref(r.ClosedAt), ClosedBy: deref(r.ClosedBy),
		Waiting: r.Waiting}
}

const waitlistColumns = `w.id, w.code, w.name, w.photo_file_id, w.store_id, w.created_by, w.created_at,
	w.closed_at, w.closed_by, (SELECT count(*) FROM waitlist_entries e WHERE e.waitlist_id = w.id)::int AS waiting`

// CreateWaitlist inserts a list; a taken code gives ErrConflict.
func (t *tx) CreateWaitlist(ctx context.Context, w *domain.Waitlist) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO waitlists (code, name, photo_file_id, store_id, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, w.Code, w.Name, w.PhotoID, nullable(w.ShopID),
		w.CreatedBy, t.stamp(w.CreatedAt)).Scan(&w.ID)
	if err != nil {
		return fmt.Errorf("create waitlist: %w", mapErr(err))
	}
	return nil
}

func (t *tx) findWaitlist(ctx context.Context, where string, arg any) (*domain.Waitlist, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+waitlistColumns+` FROM waitlists w WHERE `+where, arg)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[waitlistRow])
	if err != nil {
		return nil, mapErr(err)
	}
	w := r.domain()
	return &w, nil
}

// FindWaitlistByCode finds a list by its deep-link code.
func (t *tx) FindWaitlistByCode(ctx context.Context, code string) (*domain.Waitlist, error) {
	return t.findWaitlist(ctx, `w.code = $1`, code)
}

// LockWaitlist loads a list and locks it for the transaction.
func (t *tx) LockWaitlist(ctx context.Context, id int64) (*domain.Waitlist, error) {
	return t.findWaitlist(ctx, `w.id = $1 FOR UPDATE OF w`, id)
}

// addToWaitlist share-locks the list while it is open and puts the
// customer on it: a restock closing it at the same moment either waits
// for this entry (and then tells it) or has closed it first, which the
// lock's re-read of the row sees (then nothing is added). Joins of one
// list do not wait for each other.
const addToWaitlist = `WITH w AS (SELECT id FROM waitlists WHERE id = $1 AND closed_at IS NULL FOR SHARE),
ins AS (INSERT INTO waitlist_entries (waitlist_id, customer_id, joined_at)
        SELECT w.id, $2, $3 FROM w ON CONFLICT DO NOTHING RETURNING 1)
SELECT EXISTS (SELECT 1 FROM w), EXISTS (SELECT 1 FROM ins)`

// AddToWaitlist puts a customer on a list once; ErrConflict when the list
// is closed (by a restock committed since it was read).
func (t *tx) AddToWaitlist(ctx context.Context, waitlistID, customerID int64, at time.Time) (bool, error) {
	var open, added bool
	if err := t.tx.QueryRow(ctx, addToWaitlist, waitlistID, customerID, t.stamp(at)).Scan(&open, &added); err != nil {
		return false, fmt.Errorf("add to waitlist: %w", mapErr(err))
	}
	if !open {
		return false, domain.ErrConflict
	}
	return added, nil
}

// ListOpenWaitlists lists a store's open lists (shopID 0: all) with counts.
func (t *tx) ListOpenWaitlists(ctx context.Context, shopID int64) ([]domain.Waitlist, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+waitlistColumns+` FROM waitlists w
		WHERE w.closed_at IS NULL AND ($1 = 0 OR w.store_id = $1 OR w.store_id IS NULL)
		ORDER BY w.created_at, w.id LIMIT 1000`, shopID)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[waitlistRow])
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]domain.Waitlist, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}

// CloseWaitlist marks a list back in stock.
func (t *tx) CloseWaitlist(ctx context.Context, id, byStaff int64, at time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE waitlists SET closed_at = $2, closed_by = $3
		WHERE id = $1 AND closed_at IS NULL`, id, t.stamp(at), byStaff)
	return mapErr(err)
}

// ListWaitingCustomers lists the reachable members waiting on a list.
func (t *tx) ListWaitingCustomers(ctx context.Context, waitlistID int64) ([]domain.WaitingCustomer, error) {
	rows, _ := t.tx.Query(ctx, `SELECT c.id, c.chat_id, c.language FROM waitlist_entries e
		JOIN customers c ON c.id = e.customer_id
		WHERE e.waitlist_id = $1 AND c.chat_id IS NOT NULL AND c.erased_at IS NULL AND c.unreachable_at IS NULL
		ORDER BY e.joined_at, c.id`, waitlistID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[domain.WaitingCustomer])
	return out, mapErr(err)
}

// ListCustomerWaitlists lists the lists a customer joined.
func (t *tx) ListCustomerWaitlists(ctx context.Context, customerID int64) ([]domain.WaitlistEntry, error) {
	rows, err := t.tx.Query(ctx, `SELECT w.name, e.joined_at, w.closed_at FROM waitlist_entries e
		JOIN waitlists w ON w.id = e.waitlist_id WHERE e.customer_id = $1 ORDER BY e.joined_at, w.id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list customer waitlists: %w", mapErr(err))
	}
	defer rows.Close()
	var out []domain.WaitlistEntry
	for rows.Next() {
		var e domain.WaitlistEntry
		var closed *time.Time
		if err := rows.Scan(&e.Item, &e.JoinedAt, &closed); err != nil {
			return nil, fmt.Errorf("list customer waitlists: %w", err)
		}
		e.ClosedAt = deref(closed)
		out = append(out, e)
	}
	return out, rows.Err()
}
