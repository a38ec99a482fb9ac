package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// lockCheckoutCard locks the card of a purchase. It is a statement of its
// own, queued before loadCheckout: under READ COMMITTED a statement that
// waited for a row lock sees that row's newest version but everything
// else as it stood when the statement began, so a purchase that waited
// for another on the same card read the held welcome bonus, the spend
// and a purchase of the same key as they were before that one (the bonus
// announced twice, the balance answered 100 points too high). The next
// statement's snapshot is taken once the lock is held.
const lockCheckoutCard = `SELECT 1 FROM cards WHERE id = $1 OR ($1 = 0 AND number = $2) FOR UPDATE`

// loadCheckout reads, once lockCheckoutCard holds the card, the card,
// the customer, a purchase with the same key, the 365-day spend, the
// velocity counts, the last purchase, a summary of the open lots and a
// held welcome bonus.
var loadCheckout = `
WITH c AS (SELECT id, customer_id, number, balance, created_at FROM cards
            WHERE id = $1 OR ($1 = 0 AND number = $7))
SELECT c.id, c.customer_id, c.number, c.balance, c.created_at,
       cu.id, cu.telegram_id, cu.chat_id, cu.first_name, cu.phone, cu.language, cu.joined_store_id,
       cu.joined_at, cu.marketing, cu.unreachable_at, cu.created_at, cu.erased_at,
       coalesce((SELECT public_id FROM purchases WHERE idempotency_key = $2), ''),
       (SELECT count(*) FROM (SELECT 1 FROM purchases WHERE card_id = c.id AND cancelled_at IS NULL LIMIT 1) first),
       (SELECT coalesce(sum(amount), 0)::bigint FROM purchases
         WHERE card_id = c.id AND created_at >= $4 AND cancelled_at IS NULL),
       (SELECT count(*) FROM purchases WHERE card_id = c.id AND created_at >= $5),
       CASE WHEN $3::bigint = 0 THEN 0
            ELSE (SELECT count(*) FROM purchases WHERE staff_id = $3 AND created_at >= $6) END,
       ` + expiryFactsOf("(c.id)") + `,
       coalesce(hw.points, 0), coalesce(hw.valid_days, 0), coalesce(hw.round, 0)
  FROM c JOIN customers cu ON cu.id = c.customer_id
         LEFT JOIN held_welcome hw ON hw.card_id = c.id`

// expiryFactsOf reads domain.ExpiryFacts of the card whose id is the SQL
// expression card: its last purchase standing, the soonest expiry of its
// open lots, whether a regular lot is open (three columns, in that order).
func expiryFactsOf(card string) string {
	return `(SELECT max(created_at) FROM purchases WHERE card_id = ` + card + ` AND cancelled_at IS NULL),
       (SELECT min(expires_at) FROM point_lots WHERE card_id = ` + card + ` AND remaining > 0),
       EXISTS (SELECT 1 FROM point_lots WHERE card_id = ` + card + ` AND remaining > 0 AND kind = 'regular')`
}

// openLotsOfCheckout lists the open lots of the card loadCheckout locked.
const openLotsOfCheckout = `SELECT id, kind, remaining, expires_at, created_at FROM point_lots
	WHERE card_id = (SELECT id FROM cards WHERE id = $1 OR ($1 = 0 AND number = $2)) AND remaining > 0
	ORDER BY id`

// genericPlans makes the transaction's prepared statements run their
// cached generic plans.
const genericPlans = `SET LOCAL plan_cache_mode = force_generic_plan`

// loadCheckoutPlans keeps the scan plans of loadCheckout's row.
var loadCheckoutPlans scanCache

// LoadCheckout reads what a purchase needs in one round trip: with the
// open lots when points will be paid, with the failed-lookup counters
// when the card was typed, with the badge record when badges can be
// earned.
func (t *tx) LoadCheckout(ctx context.Context, q domain.CheckoutQuery) (*domain.CheckoutState, error) {
	var st domain.CheckoutState
	var r customerRow
	var last, earliest *time.Time
	scan := func(row pgx.Row) error {
		return loadCheckoutPlans.scan(row,
			&st.Card.ID, &st.Card.CustomerID, &st.Card.Number, &st.Card.Balance, &st.Card.CreatedAt,
			&r.ID, &r.TelegramID, &r.ChatID, &r.FirstName, &r.Phone, &r.Language, &r.JoinedStoreID,
			&r.JoinedAt, &r.Marketing, &r.UnreachableAt, &r.CreatedAt, &r.ErasedAt,
			&st.PrevPublicID, &st.Purchases, &st.Spend, &st.CardCount, &st.StaffCount, &last, &earliest, &st.HasRegular,
			&st.Held.Points, &st.Held.ValidDays, &st.Held.Round)
	}
	args := []any{q.CardID, q.IdempotencyKey, q.StaffID, q.SpendSince, q.CardSince, q.StaffSince, q.CardNumber}
	b := &pgx.Batch{}
	if q.WithLots || len(q.LookupKeys) > 0 || q.Badges != nil {
		// Generic plans for the rest of the transaction: PostgreSQL would
		// otherwise plan the badge record and the lookup counters afresh
		// on every purchase (a custom plan looks cheaper to it than the
		// generic one), and planning cost more than running them: 1.0 ms
		// of 1.4 ms for the badge record under load. Each part reads one
		// card's rows by a unique key, so the generic plan is the same.
		b.Queue(genericPlans)
	}
	if len(q.LookupKeys) > 0 {
		// A typed code: the limits on failed lookups, in the same round trip.
		scopes, subjects, windows := lookupArrays(q.LookupKeys)
		b.Queue(countLookupFailures, scopes, subjects, windows).Query(func(rows pgx.Rows) error {
			var err error
			st.LookupFailures, err = pgx.CollectRows(rows, pgx.RowTo[int])
			return err
		})
	}
	b.Queue(lockCheckoutCard, q.CardID, q.CardNumber)
	b.Queue(loadCheckout, args...).QueryRow(scan)
	if q.WithLots {
		b.Queue(openLotsOfCheckout, q.CardID, q.CardNumber).Query(func(rows pgx.Rows) error {
			lots, err := collectLots(rows)
			st.Lots = lots
			return err
		})
	}
	if q.Badges != nil {
		// The badge record of the card just locked, before the purchase.
		args := append(append([]any{q.CardID}, badgeFactsArgs(q.Badges)...), q.CardNumber)
		st.Badges = &domain.BadgeFacts{}
		b.Queue(badgeFactsOfCard, args...).QueryRow(func(row pgx.Row) error {
			return scanBadgeFacts(row, 0, st.Badges)
		})
	}
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("load checkout for card %d: %w", q.CardID, mapErr(err))
	}
	st.Customer = *r.domain()
	if st.Badges != nil {
		for i := range st.Badges.Awards {
			st.Badges.Awards[i].CustomerID = st.Customer.ID
		}
	}
	st.LastPurchase, st.EarliestExpiry = deref(last), deref(earliest)
	return &st, nil
}

// WritePurchase queues the purchase and its writes to go out with the
// next statement or with COMMIT: the card is locked and everything they
// depend on was read, so nothing waits for their results. p.ID is set
// when they run.
func (t *tx) WritePurchase(ctx context.Context, p *domain.Purchase, w domain.PurchaseWrites) error {
	cats, flags := p.Categories, p.Flags
	if cats == nil {
		cats = []string{}
	}
	if flags == nil {
		flags = []string{}
	}
	b := &pgx.Batch{}
	b.Queue(insertPurchase, p.PublicID, p.CardID, p.CustomerID, p.ShopID, nullable(p.StaffID),
		p.Source, nullable(p.ReceiptID), p.IdempotencyKey, p.RequestHash, p.Amount, p.Currency, p.Earned,
		p.Redeemed, cats, flags, p.CreatedAt, nullable(p.Promotion), p.Stamps).QueryRow(func(r pgx.Row) error { return r.Scan(&p.ID) })
	if d := w.Debit; d != nil {
		// The ledger row moves the balance (its triggers refuse an
		// overdraft); the lots say which points went.
		b.Queue(`INSERT INTO ledger (card_id, kind, amount, reason, idempotency_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			d.CardID, string(d.Kind), d.Amount, d.Reason, d.IdempotencyKey, p.CreatedAt)
		ids, points := lotArrays(w.Uses)
		queueMoveLots(b, ids, points, -1)
		b.Queue(`INSERT INTO lot_uses (purchase_id, lot_id, points)
			SELECT p.id, u.id, u.points FROM purchases p, unnest($2::bigint[], $3::bigint[]) AS u(id, points)
			 WHERE p.public_id = $1`, p.PublicID, ids, points)
	}
	if e := w.Credit; e != nil {
		b.Queue(appendCredit, e.CardID, string(e.Kind), e.Amount, e.Reason, e.IdempotencyKey,
			nullable(e.ExpiresAt), string(domain.LotRegular), p.CreatedAt)
	}
	if e := w.Welcome; e != nil {
		b.Queue(appendCredit, e.CardID, string(e.Kind), e.Amount, e.Reason, e.IdempotencyKey,
			nullable(e.ExpiresAt), string(domain.LotPromo), p.CreatedAt)
		b.Queue(`DELETE FROM held_welcome WHERE card_id = $1`, e.CardID)
	}
	t.tx.Defer(b)
	return nil
}
