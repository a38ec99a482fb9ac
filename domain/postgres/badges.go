package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// badgeFacts reads a customer's awards and record in one round trip.
// $1 customer, $2 now, $3 weeks back for streaks, $4 fact names, $5 the
// month's start for the biggest receipt so far (NULL: not needed), $6 the
// store whose local day "today" is (NULL: not asked). Days and weeks are
// the store's local ones (weeks start on Monday).
//
// It runs in every purchase's transaction, so each part reads one
// customer's rows through an index, whatever the number of members: the
// awards by customer (badge_awards_customer), the purchases by the
// customer's card (a customer has one card, and a purchase's customer is
// its card's), from purchases_card_live; no part walks a window of every
// member's purchases.
const badgeFacts = `
WITH cust AS (SELECT $1::bigint AS id),
     card AS (SELECT id FROM cards WHERE customer_id = $1),` + badgeFactsBody

// badgeFactsOfCard is badgeFacts for the card a checkout locks ($1 its
// id, or 0 and $7 its number), read in the checkout's round trip before
// the purchase is written.
const badgeFactsOfCard = `
WITH card AS (SELECT id, customer_id FROM cards WHERE id = $1 OR ($1 = 0 AND number = $7)),
     cust AS (SELECT customer_id AS id FROM card),` + badgeFactsBody

const badgeFactsBody = `
     mine AS (SELECT p.created_at, p.amount, p.store_id FROM purchases p
               WHERE p.card_id = (SELECT id FROM card) AND p.cancelled_at IS NULL)
SELECT coalesce(aw.badges, '{}') AS badges, coalesce(aw.occurrences, '{}') AS occurrences,
       coalesce(aw.points, '{}') AS points, coalesce(aw.awarded, '{}') AS awarded,
       (SELECT count(DISTINCT (m.created_at AT TIME ZONE st.timezone)::date)
          FROM mine m JOIN stores st ON st.id = m.store_id)::int AS visits,
       coalesce((SELECT array_agg(DISTINCT ((date_trunc('week', $2::timestamptz AT TIME ZONE st.timezone)::date
                                            - date_trunc('week', m.created_at AT TIME ZONE st.timezone)::date) / 7)::int)
          FROM mine m JOIN stores st ON st.id = m.store_id
         WHERE m.created_at > $2::timestamptz - make_interval(weeks => $3::int) AND m.created_at <= $2), '{}') AS weeks,
       coalesce((SELECT jsonb_object_agg(name, value) FROM facts
                  WHERE customer_id = (SELECT id FROM cust) AND name = ANY($4::text[])), '{}') AS facts,
       coalesce((SELECT array_agg(section) FROM section_offers
                  WHERE customer_id = (SELECT id FROM cust) AND completed_at IS NOT NULL), '{}') AS sections,
       (SELECT count(*) FROM feedback WHERE customer_id = (SELECT id FROM cust))::int AS reviews,
       (SELECT count(*) FROM referrals WHERE referrer_id = (SELECT id FROM cust) AND completed_at IS NOT NULL
                                           AND voided_at IS NULL)::int AS referrals,
       coalesce(best.store_id, 0) AS best_store, coalesce(best.amount, 0) AS best_amount,
       coalesce((SELECT max(q.amount) FROM purchases q WHERE q.store_id = best.store_id
                    AND q.created_at >= $5 AND q.created_at <= $2 AND q.cancelled_at IS NULL), 0) AS shop_top,
       $6::bigint IS NOT NULL AND EXISTS (SELECT 1 FROM mine m JOIN stores st ON st.id = m.store_id
          WHERE (m.created_at AT TIME ZONE st.timezone)::date
                = ($2::timestamptz AT TIME ZONE (SELECT timezone FROM stores WHERE id = $6))::date) AS today
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (SELECT array_agg(badge ORDER BY id) AS badges, array_agg(occurrence ORDER BY id) AS occurrences,
                            array_agg(points ORDER BY id) AS points, array_agg(awarded_at ORDER BY id) AS awarded
                       FROM badge_awards WHERE customer_id = (SELECT id FROM cust)) aw ON true
  LEFT JOIN LATERAL (SELECT m.store_id, m.amount FROM mine m
                      WHERE $5::timestamptz IS NOT NULL AND m.created_at >= $5 AND m.created_at <= $2
                      ORDER BY m.amount DESC, m.created_at LIMIT 1) best ON true`

// badgeFactsArgs are the arguments both queries share, $2 to $6.
func badgeFactsArgs(q *domain.BadgeFactsQuery) []any {
	facts := q.Facts
	if facts == nil {
		facts = []string{}
	}
	return []any{q.Now, q.Weeks, facts, nullable(q.MonthStart), nullable(q.ShopID)}
}

// badgeFactsPlans keeps the scan plans of both badge-record queries: they
// return the same columns.
var badgeFactsPlans scanCache

// scanBadgeFacts reads a row of either query into f.
func scanBadgeFacts(row pgx.Row, customerID int64, f *domain.BadgeFacts) error {
	var (
		badges, occs []string
		points       []int64
		at           []time.Time
	)
	err := badgeFactsPlans.scan(row, &badges, &occs, &points, &at, &f.Visits, &f.WeeksAgo, &f.Facts, &f.Sections, &f.Reviews,
		&f.Referrals, &f.BestShopID, &f.BestAmount, &f.ShopTop, &f.VisitedToday)
	if err != nil {
		return err
	}
	for i := range badges {
		f.Awards = append(f.Awards, domain.BadgeAward{Badge: badges[i], CustomerID: customerID,
			Occurrence: occs[i], Points: points[i], At: at[i]})
	}
	return nil
}

// TakeBackBadges deletes the awards a purchase earned
// (badge_awards_purchase) and returns them.
func (t *tx) TakeBackBadges(ctx context.Context, purchaseID int64) ([]domain.BadgeAward, error) {
	rows, _ := t.tx.Query(ctx, `DELETE FROM badge_awards WHERE purchase_id = $1
		RETURNING id, badge, customer_id, occurrence, sole, points, awarded_at`, purchaseID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.BadgeAward, error) {
		var a domain.BadgeAward
		err := r.Scan(&a.ID, &a.Badge, &a.CustomerID, &a.Occurrence, &a.Sole, &a.Points, &a.At)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("take back badges: %w", mapErr(err))
	}
	return out, nil
}

// TakeBackBadge deletes a customer's award of a badge (its unique row)
// and returns it.
func (t *tx) TakeBackBadge(ctx context.Context, customerID int64, badge, occurrence string) (*domain.BadgeAward, error) {
	a := domain.BadgeAward{Badge: badge, CustomerID: customerID, Occurrence: occurrence}
	err := t.tx.QueryRow(ctx, `DELETE FROM badge_awards WHERE customer_id = $1 AND badge = $2 AND occurrence = $3
		RETURNING id, sole, points, awarded_at`, customerID, badge, occurrence).Scan(&a.ID, &a.Sole, &a.Points, &a.At)
	if err != nil {
		return nil, fmt.Errorf("take back badge: %w", mapErr(err))
	}
	return &a, nil
}

// KeepBadgePoints remembers points of a badge taken back that were spent.
func (t *tx) KeepBadgePoints(ctx context.Context, customerID int64, badge, occurrence string, points int64) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO badge_points_kept (customer_id, badge, occurrence, points) VALUES ($1, $2, $3, $4)
		ON CONFLICT (customer_id, badge, occurrence) DO UPDATE SET points = badge_points_kept.points + EXCLUDED.points`,
		customerID, badge, occurrence, points)
	if err != nil {
		return fmt.Errorf("keep badge points: %w", mapErr(err))
	}
	return nil
}

// TakeKeptBadgePoints returns and forgets the points remembered for a badge.
func (t *tx) TakeKeptBadgePoints(ctx context.Context, customerID int64, badge, occurrence string) (int64, error) {
	var points int64
	err := t.tx.QueryRow(ctx, `DELETE FROM badge_points_kept WHERE customer_id = $1 AND badge = $2 AND occurrence = $3
		RETURNING points`, customerID, badge, occurrence).Scan(&points)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("take kept badge points: %w", mapErr(err))
	}
	return points, nil
}

// BadgeFacts reads what the badge checks of one customer need.
func (t *tx) BadgeFacts(ctx context.Context, q domain.BadgeFactsQuery) (*domain.BadgeFacts, error) {
	var f domain.BadgeFacts
	args := append([]any{q.CustomerID}, badgeFactsArgs(&q)...)
	if err := scanBadgeFacts(t.tx.QueryRow(ctx, badgeFacts, args...), q.CustomerID, &f); err != nil {
		return nil, fmt.Errorf("badge facts: %w", mapErr(err))
	}
	return &f, nil
}

// SetBadgeAwardPoints records the points an award paid.
func (t *tx) SetBadgeAwardPoints(ctx context.Context, awardID, points int64) error {
	_, err := t.tx.Exec(ctx, `UPDATE badge_awards SET points = $2 WHERE id = $1`, awardID, points)
	return mapErr(err)
}

// AwardBadge records an award once: a second one for the same badge,
// customer and occurrence, or a sole award someone holds, writes nothing.
func (t *tx) AwardBadge(ctx context.Context, a *domain.BadgeAward) (bool, error) {
	err := t.tx.QueryRow(ctx, `INSERT INTO badge_awards (badge, customer_id, occurrence, sole, points, awarded_at, purchase_id)
		VALUES ($1, $2, $3, $4, $5, $6, (SELECT id FROM purchases WHERE public_id = nullif($7, '')))
		ON CONFLICT DO NOTHING RETURNING id`,
		a.Badge, a.CustomerID, a.Occurrence, a.Sole, a.Points, t.stamp(a.At), a.Purchase).Scan(&a.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("award badge: %w", mapErr(err))
	}
	return true, nil
}

// MonthLeader finds the biggest receipt of a store in a period, walking
// the store's purchases by time (purchases_store_time).
func (t *tx) MonthLeader(ctx context.Context, shopID int64, from, to time.Time) (int64, string, bool, error) {
	var id int64
	var purchase string
	err := t.tx.QueryRow(ctx, `SELECT p.customer_id, p.public_id FROM purchases p JOIN customers c ON c.id = p.customer_id
		WHERE p.store_id = $1 AND p.created_at >= $2 AND p.created_at < $3 AND p.cancelled_at IS NULL
		  AND c.erased_at IS NULL AND c.joined_at IS NOT NULL
		ORDER BY p.amount DESC, p.created_at, p.id LIMIT 1`, shopID, from, to).Scan(&id, &purchase)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, fmt.Errorf("month leader: %w", mapErr(err))
	}
	return id, purchase, true, nil
}
