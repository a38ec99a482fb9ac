package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/loyaltybot/loyaltybot/domain"
)

type purchaseRow struct {
	ID             int64      `db:"id"`
	PublicID       string     `db:"public_id"`
	CardID         int64      `db:"card_id"`
	CustomerID     int64      `db:"customer_id"`
	StoreID        int64      `db:"store_id"`
	StaffID        *int64     `db:"staff_id"`
	Source         string     `db:"source"`
	ReceiptID      *string    `db:"receipt_id"`
	IdempotencyKey string     `db:"idempotency_key"`
	RequestHash    string     `db:"request_hash"`
	Amount         int64      `db:"amount"`
	Currency       string     `db:"currency"`
	PointsEarned   int64      `db:"points_earned"`
	PointsRedeemed int64      `db:"points_redeemed"`
	Categories     []string   `db:"categories"`
	Flags          []string   `db:"flags"`
	CreatedAt      time.Time  `db:"created_at"`
	CancelledAt    *time.Time `db:"cancelled_at"`
	CancelledBy    *int64     `db:"cancelled_by"`
	Promotion      *string    `db:"promotion"`
	LapsedPromo    *string    `db:"lapsed_promotion"`
	ReturnedAmount int64      `db:"returned_amount"`
	ReturnedEarned int64      `db:"returned_earned"`
	ReturnedRedeem int64      `db:"returned_redeemed"`
	Stamps         int        `db:"stamps"`
	ReturnedStamps int        `db:"returned_stamps"`
}

func (r purchaseRow) domain() domain.Purchase {
	return domain.Purchase{
		ID: r.ID, PublicID: r.PublicID, CardID: r.CardID, CustomerID: r.CustomerID, ShopID: r.StoreID,
		StaffID: deref(r.StaffID), Source: r.Source, ReceiptID: deref(r.ReceiptID), Amount: r.Amount,
		Currency: r.Currency, Earned: r.PointsEarned, Redeemed: r.PointsRedeemed, Categories: r.Categories,
		Flags: r.Flags, CreatedAt: r.CreatedAt, CancelledAt: deref(r.CancelledAt), CancelledBy: deref(r.CancelledBy),
		IdempotencyKey: r.IdempotencyKey, RequestHash: r.RequestHash, Promotion: deref(r.Promotion),
		ReturnedAmount: r.ReturnedAmount, ReturnedEarned: r.ReturnedEarned, ReturnedRedeemed: r.ReturnedRedeem,
		Stamps: r.Stamps, ReturnedStamps: r.ReturnedStamps, LapsedPromotion: deref(r.LapsedPromo),
	}
}

const purchaseColumns = `id, public_id, card_id, customer_id, store_id, staff_id, source, receipt_id,
	idempotency_key, request_hash, amount, currency, points_earned, points_redeemed, categories, flags,
	created_at, cancelled_at, cancelled_by, promotion, returned_amount, returned_earned, returned_redeemed, stamps,
	returned_stamps, lapsed_promotion`

const insertPurchase = `INSERT INTO purchases (public_id, card_id, customer_id, store_id, staff_id, source,
	receipt_id, idempotency_key, request_hash, amount, currency, points_earned, points_redeemed, categories,
	flags, created_at, promotion, stamps)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
	RETURNING id`

func (t *tx) findPurchase(ctx context.Context, where string, arg any) (*domain.Purchase, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+purchaseColumns+` FROM purchases WHERE `+where, arg)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[purchaseRow])
	if err != nil {
		return nil, mapErr(err)
	}
	p := r.domain()
	return &p, nil
}

// FindPurchaseByKey finds a purchase by its idempotency key.
func (t *tx) FindPurchaseByKey(ctx context.Context, key string) (*domain.Purchase, error) {
	return t.findPurchase(ctx, `idempotency_key = $1`, key)
}

// FindPurchaseByPublicID finds a purchase by its public id.
func (t *tx) FindPurchaseByPublicID(ctx context.Context, publicID string) (*domain.Purchase, error) {
	return t.findPurchase(ctx, `public_id = $1`, publicID)
}

// MarkPurchaseCancelled records a cancellation, once: a purchase cancelled
// already gives ErrConflict, so a cancel that raced past the card lock
// rolls back instead of reversing the points a second time.
func (t *tx) MarkPurchaseCancelled(ctx context.Context, purchaseID, byStaff int64, at time.Time) error {
	tag, err := t.tx.Exec(ctx, `UPDATE purchases SET cancelled_at = $2, cancelled_by = $3
		WHERE id = $1 AND cancelled_at IS NULL`, purchaseID, at, nullable(byStaff))
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("purchase %d: %w: cancelled already or gone", purchaseID, domain.ErrConflict)
	}
	return nil
}

// spendSince sums card $1's purchases since $2, those cancelled left out.
const spendSince = `SELECT coalesce(sum(amount), 0)::bigint FROM purchases
	WHERE card_id = $1 AND created_at >= $2 AND cancelled_at IS NULL`

// SpendSince sums the card's paid receipts since a time.
func (t *tx) SpendSince(ctx context.Context, cardID int64, since time.Time) (int64, error) {
	var n int64
	err := t.tx.QueryRow(ctx, spendSince, cardID, since).Scan(&n)
	return n, mapErr(err)
}

// LastPurchaseAt returns the newest purchase time of a card.
func (t *tx) LastPurchaseAt(ctx context.Context, cardID int64) (time.Time, error) {
	var at *time.Time
	err := t.tx.QueryRow(ctx, `SELECT max(created_at) FROM purchases WHERE card_id = $1 AND cancelled_at IS NULL`, cardID).Scan(&at)
	return deref(at), mapErr(err)
}

// LastPurchaseAtExcept is LastPurchaseAt without one purchase.
func (t *tx) LastPurchaseAtExcept(ctx context.Context, cardID, purchaseID int64) (time.Time, error) {
	var at *time.Time
	err := t.tx.QueryRow(ctx, `SELECT max(created_at) FROM purchases WHERE card_id = $1 AND cancelled_at IS NULL AND id <> $2`,
		cardID, purchaseID).Scan(&at)
	return deref(at), mapErr(err)
}

// staffDay sums staff member $1's purchases since $2: those that stand,
// and those cancelled. A purchase returned in full (its return cancelled
// it, at the same moment) is no cancel, as in kpiStaff: the till saw a
// sale and a refund, and the refund is among the returns.
const staffDay = `SELECT count(*) FILTER (WHERE cancelled_at IS NULL),
	count(*) FILTER (WHERE cancelled_at IS NOT NULL AND NOT EXISTS (
	    SELECT 1 FROM purchase_returns r WHERE r.purchase_id = p.id AND r.created_at = p.cancelled_at)),
	coalesce(sum(amount) FILTER (WHERE cancelled_at IS NULL), 0)::bigint,
	coalesce(sum(points_earned) FILTER (WHERE cancelled_at IS NULL), 0)::bigint,
	coalesce(sum(points_redeemed) FILTER (WHERE cancelled_at IS NULL), 0)::bigint
	FROM purchases p WHERE staff_id = $1 AND created_at >= $2`

// ReadStaffDay sums a staff member's purchases since a time and lists the
// newest, in one round trip (purchases_staff_time).
func (t *tx) ReadStaffDay(ctx context.Context, staffID int64, since time.Time, limit int) (*domain.StaffDay, error) {
	d := &domain.StaffDay{}
	b := &pgx.Batch{}
	b.Queue(staffDay, staffID, since).
		QueryRow(func(r pgx.Row) error {
			return r.Scan(&d.Count, &d.Cancelled, &d.Amount, &d.Earned, &d.Redeemed)
		})
	b.Queue(recentPurchases(`staff_id = $1`), staffID, since, limit).
		Query(func(rows pgx.Rows) error {
			rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[recentRow])
			for _, r := range rs {
				d.Recent = append(d.Recent, r.recent())
			}
			return err
		})
	b.Queue(`SELECT count(*), coalesce(sum(refund), 0)::bigint FROM purchase_returns
		WHERE staff_id = $1 AND created_at >= $2`, staffID, since).
		QueryRow(func(r pgx.Row) error { return r.Scan(&d.Returns, &d.Refunded) })
	b.Queue(`SELECT count(*), coalesce(sum(points), 0)::bigint FROM prizes_given
		WHERE staff_id = $1 AND created_at >= $2 AND cancelled_at IS NULL`, staffID, since).
		QueryRow(func(r pgx.Row) error { return r.Scan(&d.Prizes, &d.PrizePoints) })
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("read staff day: %w", mapErr(err))
	}
	return d, nil
}

// recentPurchases lists, newest first, the purchases matching which
// (over $1) since $2, at most $3, with the customer's first name ("" once
// erased) and the cashier's ("" for the POS): recentRow.
func recentPurchases(which string) string {
	return `SELECT p.*,
		coalesce((SELECT c.first_name FROM customers c WHERE c.id = p.customer_id AND c.erased_at IS NULL), '') AS customer_name,
		coalesce((SELECT s.first_name FROM staff s WHERE s.id = p.staff_id), '') AS staff_name
		FROM (SELECT ` + purchaseColumns + ` FROM purchases
		      WHERE ` + which + ` AND created_at >= $2 ORDER BY created_at DESC, id DESC LIMIT $3) p
		ORDER BY p.created_at DESC, p.id DESC`
}

// recentRow is a purchase with the names a list of them shows.
type recentRow struct {
	purchaseRow
	CustomerName string `db:"customer_name"`
	StaffName    string `db:"staff_name"`
}

func (r recentRow) recent() domain.RecentPurchase {
	return domain.RecentPurchase{Purchase: r.domain(), CustomerName: r.CustomerName, StaffName: r.StaffName}
}

// ListRecentPurchases lists recent purchases, newest first.
func (t *tx) ListRecentPurchases(ctx context.Context, shopID int64, since time.Time, limit int) ([]domain.RecentPurchase, error) {
	rows, _ := t.tx.Query(ctx, recentPurchases(`($1 = 0 OR store_id = $1)`), shopID, since, limit)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[recentRow])
	if err != nil {
		return nil, fmt.Errorf("list purchases: %w", mapErr(err))
	}
	out := make([]domain.RecentPurchase, len(rs))
	for i, r := range rs {
		out[i] = r.recent()
	}
	return out, nil
}

// FindReturnByKey finds a return by its idempotency key.
func (t *tx) FindReturnByKey(ctx context.Context, key string) (*domain.Return, error) {
	r := domain.Return{IdempotencyKey: key}
	var staff *int64
	var ref *string
	err := t.tx.QueryRow(ctx, `SELECT id, public_id, purchase_id, card_id, store_id, staff_id, source, return_ref,
		request_hash, amount, points_taken, points_given, points_short, refund, created_at
		FROM purchase_returns WHERE idempotency_key = $1`, key).
		Scan(&r.ID, &r.PublicID, &r.PurchaseID, &r.CardID, &r.ShopID, &staff, &r.Source, &ref, &r.RequestHash,
			&r.Amount, &r.Taken, &r.Given, &r.Short, &r.Refund, &r.CreatedAt)
	if err != nil {
		return nil, mapErr(err)
	}
	r.StaffID, r.ReturnRef = deref(staff), deref(ref)
	return &r, nil
}

// WriteReturn inserts a return and writes what stands of its purchase, in
// one round trip. The purchase's update checks that nothing changed it
// since it was read (the card's lock keeps other returns out; this keeps
// a bug from writing over one).
func (t *tx) WriteReturn(ctx context.Context, r *domain.Return, p *domain.Purchase) error {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO purchase_returns (public_id, purchase_id, card_id, store_id, staff_id, source, return_ref,
		idempotency_key, request_hash, amount, points_taken, points_given, points_short, refund, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		r.PublicID, r.PurchaseID, r.CardID, r.ShopID, nullable(r.StaffID), r.Source, nullable(r.ReturnRef),
		r.IdempotencyKey, r.RequestHash, r.Amount, r.Taken, r.Given, r.Short, r.Refund, t.stamp(r.CreatedAt)).
		QueryRow(func(row pgx.Row) error { return row.Scan(&r.ID) })
	var n int64
	b.Queue(`UPDATE purchases SET amount = $2, points_earned = $3, points_redeemed = $4,
		returned_amount = $5, returned_earned = $6, returned_redeemed = $7,
		cancelled_at = coalesce(cancelled_at, $8), cancelled_by = coalesce(cancelled_by, $9), stamps = $11,
		returned_stamps = $12, promotion = $13, lapsed_promotion = $14
		WHERE id = $1 AND cancelled_at IS NULL AND returned_amount = $5::bigint - $10::bigint`,
		p.ID, p.Amount, p.Earned, p.Redeemed, p.ReturnedAmount, p.ReturnedEarned, p.ReturnedRedeemed,
		nullable(p.CancelledAt), nullable(p.CancelledBy), r.Amount, p.Stamps, p.ReturnedStamps,
		nullable(p.Promotion), nullable(p.LapsedPromotion)).
		Exec(func(tag pgconn.CommandTag) error { n = tag.RowsAffected(); return nil })
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write return: %w", mapErr(err))
	}
	if n != 1 {
		return fmt.Errorf("return of purchase %d: %w: changed since it was read", p.ID, domain.ErrConflict)
	}
	return nil
}

// ListCardPurchases lists the card's purchases that stand since a time,
// newest first (purchases_card_live).
func (t *tx) ListCardPurchases(ctx context.Context, cardID, shopID int64, since time.Time, limit int) ([]domain.Purchase, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+purchaseColumns+` FROM purchases
		WHERE card_id = $1 AND created_at >= $2 AND cancelled_at IS NULL AND ($4 = 0 OR store_id = $4)
		ORDER BY created_at DESC, id DESC LIMIT $3`, cardID, since, limit, shopID)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[purchaseRow])
	if err != nil {
		return nil, fmt.Errorf("list card purchases: %w", mapErr(err))
	}
	out := make([]domain.Purchase, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}
