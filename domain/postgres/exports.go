package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// exportFetch is how many rows one FETCH brings: enough to keep the
// round trips few, small enough that memory stays flat however large
// the table.
const exportFetch = 1000

// inStore selects the customers (c) a store's manager exports: those who
// joined there or bought there. %[1]d is the store, 0 for all.
const inStore = `(%[1]d = 0 OR c.joined_store_id = %[1]d
	OR EXISTS (SELECT 1 FROM purchases x WHERE x.customer_id = c.id AND x.store_id = %[1]d))`

const exportCustomers = `SELECT c.id, c.first_name, coalesce(c.phone, '') AS phone, c.language, c.joined_at,
		coalesce(s.code, '') AS joined_store, c.marketing, c.unreachable_at IS NOT NULL AS unreachable,
		c.erased_at IS NOT NULL AS erased, coalesce(k.number, '') AS card_number, coalesce(k.balance, 0) AS balance,
		p.purchases, p.spend, p.last_purchase, a.answers
	FROM customers c
	LEFT JOIN stores s ON s.id = c.joined_store_id
	LEFT JOIN cards k ON k.customer_id = c.id
	CROSS JOIN LATERAL (SELECT count(*) AS purchases, coalesce(sum(amount), 0)::bigint AS spend,
		max(created_at) AS last_purchase FROM purchases WHERE customer_id = c.id AND cancelled_at IS NULL) p
	CROSS JOIN LATERAL (SELECT coalesce(jsonb_object_agg(question_id, value), '{}') AS answers
		FROM answers WHERE customer_id = c.id AND superseded_at IS NULL AND NOT skipped) a
	WHERE c.joined_at IS NOT NULL AND ` + inStore + `
	ORDER BY c.id`

type customerExportRow struct {
	ID           int64                      `db:"id"`
	FirstName    string                     `db:"first_name"`
	Phone        string                     `db:"phone"`
	Language     string                     `db:"language"`
	JoinedAt     time.Time                  `db:"joined_at"`
	JoinedStore  string                     `db:"joined_store"`
	Marketing    bool                       `db:"marketing"`
	Unreachable  bool                       `db:"unreachable"`
	Erased       bool                       `db:"erased"`
	CardNumber   string                     `db:"card_number"`
	Balance      int64                      `db:"balance"`
	Purchases    int                        `db:"purchases"`
	Spend        int64                      `db:"spend"`
	LastPurchase *time.Time                 `db:"last_purchase"`
	Answers      map[string]json.RawMessage `db:"answers"`
}

// StreamCustomers streams the members (of a store: joined or bought there).
func (db *DB) StreamCustomers(ctx context.Context, shopID int64, fn func(*domain.CustomerExportRow) error) error {
	return stream(ctx, db, "customers", fmt.Sprintf(exportCustomers, shopID), func(r customerExportRow) error {
		return fn(&domain.CustomerExportRow{ID: r.ID, FirstName: r.FirstName, Phone: r.Phone, Language: r.Language,
			JoinedAt: r.JoinedAt, JoinedStore: r.JoinedStore, Marketing: r.Marketing, Unreachable: r.Unreachable,
			Erased: r.Erased, CardNumber: r.CardNumber, Balance: r.Balance, Purchases: r.Purchases, Spend: r.Spend,
			LastPurchase: deref(r.LastPurchase), Answers: r.Answers})
	})
}

const exportPurchases = `SELECT p.public_id, p.created_at, s.code AS store, p.customer_id,
		coalesce(st.first_name, '') AS cashier, p.source, coalesce(p.receipt_id, '') AS receipt_id, p.amount,
		p.currency, p.points_earned, p.points_redeemed, p.categories, p.cancelled_at, coalesce(p.promotion, '') AS promotion,
		p.returned_amount, p.stamps
	FROM purchases p JOIN stores s ON s.id = p.store_id LEFT JOIN staff st ON st.id = p.staff_id
	WHERE (%[1]d = 0 OR p.store_id = %[1]d) ORDER BY p.id`

type purchaseExportRow struct {
	PublicID    string     `db:"public_id"`
	CreatedAt   time.Time  `db:"created_at"`
	Store       string     `db:"store"`
	CustomerID  int64      `db:"customer_id"`
	Cashier     string     `db:"cashier"`
	Source      string     `db:"source"`
	ReceiptID   string     `db:"receipt_id"`
	Amount      int64      `db:"amount"`
	Currency    string     `db:"currency"`
	Earned      int64      `db:"points_earned"`
	Redeemed    int64      `db:"points_redeemed"`
	Categories  []string   `db:"categories"`
	CancelledAt *time.Time `db:"cancelled_at"`
	Promotion   string     `db:"promotion"`
	Returned    int64      `db:"returned_amount"`
	Stamps      int        `db:"stamps"`
}

// StreamPurchases streams the purchases (of a store).
func (db *DB) StreamPurchases(ctx context.Context, shopID int64, fn func(*domain.PurchaseExportRow) error) error {
	return stream(ctx, db, "purchases", fmt.Sprintf(exportPurchases, shopID), func(r purchaseExportRow) error {
		return fn(&domain.PurchaseExportRow{PublicID: r.PublicID, At: r.CreatedAt, StoreCode: r.Store,
			CustomerID: r.CustomerID, Cashier: r.Cashier, Source: r.Source, ReceiptID: r.ReceiptID, Amount: r.Amount,
			Currency: r.Currency, Earned: r.Earned, Redeemed: r.Redeemed, Categories: r.Categories,
			CancelledAt: deref(r.CancelledAt), Promotion: r.Promotion, Returned: r.Returned,
			Stamps: r.Stamps})
	})
}

// A correction's reason in the ledger is "staff N"; its audit entry
// (audit_log_ledger) names who made it and why (the why trimmed by an
// erasure, leaving "+50").
const exportLedger = `SELECT l.id, l.created_at, k.customer_id, l.card_id, l.kind, l.amount, l.balance_after,
		CASE WHEN l.kind = 'adjust' THEN coalesce((SELECT st.first_name ||
		              coalesce(': ' || nullif(substr(a.detail, strpos(a.detail, ' ') + 1), a.detail), '')
		         FROM audit_log a JOIN staff st ON st.id = a.staff_id WHERE a.ledger_id = l.id), l.reason)
		     ELSE l.reason END AS reason, l.expires_at
	FROM ledger l JOIN cards k ON k.id = l.card_id JOIN customers c ON c.id = k.customer_id
	WHERE ` + inStore + ` ORDER BY l.id`

type ledgerExportRow struct {
	ID           int64      `db:"id"`
	CreatedAt    time.Time  `db:"created_at"`
	CustomerID   int64      `db:"customer_id"`
	CardID       int64      `db:"card_id"`
	Kind         string     `db:"kind"`
	Amount       int64      `db:"amount"`
	BalanceAfter int64      `db:"balance_after"`
	Reason       string     `db:"reason"`
	ExpiresAt    *time.Time `db:"expires_at"`
}

// StreamLedger streams the ledger (of a store's customers).
func (db *DB) StreamLedger(ctx context.Context, shopID int64, fn func(*domain.LedgerExportRow) error) error {
	return stream(ctx, db, "ledger", fmt.Sprintf(exportLedger, shopID), func(r ledgerExportRow) error {
		return fn(&domain.LedgerExportRow{ID: r.ID, At: r.CreatedAt, CustomerID: r.CustomerID, CardID: r.CardID,
			Kind: r.Kind, Points: r.Amount, BalanceAfter: r.BalanceAfter, Reason: r.Reason, ExpiresAt: deref(r.ExpiresAt)})
	})
}

const exportReturns = `SELECT r.public_id, r.created_at, s.code AS store, p.public_id AS purchase, p.customer_id,
		coalesce(st.first_name, '') AS staff, r.source, coalesce(r.return_ref, '') AS return_ref, r.amount, p.currency,
		r.refund, r.points_taken, r.points_given, r.points_short
	FROM purchase_returns r JOIN purchases p ON p.id = r.purchase_id JOIN stores s ON s.id = r.store_id
	LEFT JOIN staff st ON st.id = r.staff_id
	WHERE (%[1]d = 0 OR r.store_id = %[1]d) ORDER BY r.id`

type returnExportRow struct {
	PublicID   string    `db:"public_id"`
	CreatedAt  time.Time `db:"created_at"`
	Store      string    `db:"store"`
	Purchase   string    `db:"purchase"`
	CustomerID int64     `db:"customer_id"`
	Staff      string    `db:"staff"`
	Source     string    `db:"source"`
	ReturnRef  string    `db:"return_ref"`
	Amount     int64     `db:"amount"`
	Currency   string    `db:"currency"`
	Refund     int64     `db:"refund"`
	Taken      int64     `db:"points_taken"`
	Given      int64     `db:"points_given"`
	Short      int64     `db:"points_short"`
}

// StreamReturns streams the returns of items (of a store).
func (db *DB) StreamReturns(ctx context.Context, shopID int64, fn func(*domain.ReturnExportRow) error) error {
	return stream(ctx, db, "returns", fmt.Sprintf(exportReturns, shopID), func(r returnExportRow) error {
		return fn(&domain.ReturnExportRow{PublicID: r.PublicID, At: r.CreatedAt, StoreCode: r.Store, Purchase: r.Purchase,
			CustomerID: r.CustomerID, Staff: r.Staff, Source: r.Source, ReturnRef: r.ReturnRef, Amount: r.Amount,
			Currency: r.Currency, Refund: r.Refund, Taken: r.Taken, Given: r.Given, Short: r.Short})
	})
}

const exportPrizes = `SELECT g.public_id, g.created_at, s.code AS store, g.customer_id,
		coalesce(st.first_name, '') AS staff, g.source, g.reward, g.points, g.stamps, g.cancelled_at
	FROM prizes_given g JOIN stores s ON s.id = g.store_id
	LEFT JOIN staff st ON st.id = g.staff_id
	WHERE (%[1]d = 0 OR g.store_id = %[1]d) ORDER BY g.id`

type prizeExportRow struct {
	PublicID    string     `db:"public_id"`
	CreatedAt   time.Time  `db:"created_at"`
	Store       string     `db:"store"`
	CustomerID  int64      `db:"customer_id"`
	Staff       string     `db:"staff"`
	Source      string     `db:"source"`
	Reward      string     `db:"reward"`
	Points      int64      `db:"points"`
	Stamps      int        `db:"stamps"`
	CancelledAt *time.Time `db:"cancelled_at"`
}

// StreamPrizes streams the prizes given (at a store).
func (db *DB) StreamPrizes(ctx context.Context, shopID int64, fn func(*domain.PrizeExportRow) error) error {
	return stream(ctx, db, "prizes", fmt.Sprintf(exportPrizes, shopID), func(r prizeExportRow) error {
		return fn(&domain.PrizeExportRow{PublicID: r.PublicID, At: r.CreatedAt, StoreCode: r.Store, CustomerID: r.CustomerID,
			Staff: r.Staff, Source: r.Source, Reward: r.Reward, Points: r.Points, Stamps: r.Stamps, CancelledAt: deref(r.CancelledAt)})
	})
}

const exportFeedback = `SELECT f.id, f.created_at, s.code AS store, f.customer_id,
		coalesce(p.public_id, '') AS purchase, coalesce(st.first_name, '') AS cashier, f.stars, f.comment, f.resolution
	FROM feedback f JOIN stores s ON s.id = f.store_id
	LEFT JOIN purchases p ON p.id = f.purchase_id LEFT JOIN staff st ON st.id = f.staff_id
	WHERE (%[1]d = 0 OR f.store_id = %[1]d) AND ` + liveFeedback + ` ORDER BY f.id`

type feedbackExportRow struct {
	ID         int64     `db:"id"`
	CreatedAt  time.Time `db:"created_at"`
	Store      string    `db:"store"`
	CustomerID int64     `db:"customer_id"`
	Purchase   string    `db:"purchase"`
	Cashier    string    `db:"cashier"`
	Stars      int       `db:"stars"`
	Comment    string    `db:"comment"`
	Resolution string    `db:"resolution"`
}

// StreamFeedback streams the ratings (of a store).
func (db *DB) StreamFeedback(ctx context.Context, shopID int64, fn func(*domain.FeedbackExportRow) error) error {
	return stream(ctx, db, "feedback", fmt.Sprintf(exportFeedback, shopID), func(r feedbackExportRow) error {
		return fn(&domain.FeedbackExportRow{ID: r.ID, At: r.CreatedAt, StoreCode: r.Store, CustomerID: r.CustomerID,
			Purchase: r.Purchase, Cashier: r.Cashier, Stars: r.Stars, Comment: r.Comment, Resolution: r.Resolution})
	})
}

const exportQuestions = `SELECT q.id, q.created_at, coalesce(s.code, '') AS store, q.customer_id, q.text,
		q.photo <> '' AS photo, coalesce(st.first_name, '') AS handled_by, q.handled_at, q.resolution
	FROM inquiries q LEFT JOIN stores s ON s.id = q.store_id LEFT JOIN staff st ON st.id = q.handled_by
	WHERE (%[1]d = 0 OR q.store_id = %[1]d) ORDER BY q.id`

type questionExportRow struct {
	ID         int64      `db:"id"`
	CreatedAt  time.Time  `db:"created_at"`
	Store      string     `db:"store"`
	CustomerID int64      `db:"customer_id"`
	Text       string     `db:"text"`
	Photo      bool       `db:"photo"`
	HandledBy  string     `db:"handled_by"`
	HandledAt  *time.Time `db:"handled_at"`
	Resolution string     `db:"resolution"`
}

// StreamQuestions streams the questions to the shop (of a store).
func (db *DB) StreamQuestions(ctx context.Context, shopID int64, fn func(*domain.QuestionExportRow) error) error {
	return stream(ctx, db, "questions", fmt.Sprintf(exportQuestions, shopID), func(r questionExportRow) error {
		return fn(&domain.QuestionExportRow{ID: r.ID, At: r.CreatedAt, StoreCode: r.Store, CustomerID: r.CustomerID,
			Text: r.Text, Photo: r.Photo, HandledBy: r.HandledBy, HandledAt: deref(r.HandledAt), Resolution: r.Resolution})
	})
}

// stream runs query as a server-side cursor in a read-only snapshot and
// hands fn one row at a time, fetching exportFetch rows per round trip:
// however large the table, neither side holds more than one batch. The
// query's only parameter, a store id, is formatted in as an integer. Each
// export has its own cursor name: pgx caches a statement's columns per
// connection, and one FETCH text must always bring the same columns.
func stream[T any](ctx context.Context, db *DB, name, query string, fn func(T) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only
	if _, err := tx.Exec(ctx, `DECLARE export_`+name+` NO SCROLL CURSOR FOR `+query); err != nil {
		return mapErr(err)
	}
	fetch := fmt.Sprintf(`FETCH FORWARD %d FROM export_%s`, exportFetch, name)
	for {
		rows, err := tx.Query(ctx, fetch)
		if err != nil {
			return mapErr(err)
		}
		n := 0
		for rows.Next() {
			n++
			r, err := pgx.RowToStructByName[T](rows)
			if err == nil {
				err = fn(r)
			}
			if err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return mapErr(err)
		}
		if n < exportFetch {
			return nil
		}
	}
}
