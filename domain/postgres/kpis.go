package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// The owners' report (/stats) in set-based statements sent in one
// round trip. Nothing reads every purchase, nor every customer's wide row:
// the customer indicators are one pass over customer_activity, the narrow
// per-member row that triggers keep exact in the transactions that change
// its facts (migrations 0028 and 0031: store, member since, reachable,
// marketing consent, completed sections, balance, first and last live
// purchase and their count); the period's purchases are found by time
// (purchases_time_brin, a BRIN index of the time-ordered heap), the points
// that moved without a purchase by time (ledger_kpi_time), ratings by time
// (feedback_created), questions by time (inquiries_created) and nudges by
// due time (nudges_due).
// $1 from, $2 to, $3 store (0: all), and each statement's own after.
const (
	// $4 now − 30 days, $5 now − 90 days, $6 the number of questionnaire
	// sections (0: nobody's profile is complete).
	kpiMembers = `SELECT count(*),
       count(*) FILTER (WHERE a.member_since >= $1),
       count(*) FILTER (WHERE a.reachable),
       count(*) FILTER (WHERE a.marketing),
       count(*) FILTER (WHERE $6 > 0 AND a.sections_done >= $6),
       count(*) FILTER (WHERE a.purchases > 0 AND a.last_purchase_at >= $4),
       count(*) FILTER (WHERE a.purchases > 0 AND a.last_purchase_at < $4 AND a.last_purchase_at >= $5),
       count(*) FILTER (WHERE a.purchases > 0 AND a.last_purchase_at < $5),
       count(*) FILTER (WHERE a.purchases = 0),
       count(*) FILTER (WHERE a.purchases >= 2),
       coalesce(sum(a.balance), 0)::bigint
  FROM customer_activity a
 WHERE a.member_since < $2 AND ($3 = 0 OR a.store_id = $3)`
	kpiPurchases = `SELECT count(*), count(DISTINCT p.customer_id), coalesce(sum(p.amount), 0)::bigint,
       coalesce(sum(p.points_earned), 0)::bigint, coalesce(sum(p.points_redeemed), 0)::bigint
  FROM stores st JOIN purchases p ON p.store_id = st.id AND p.created_at >= $1 AND p.created_at < $2
 WHERE ($3 = 0 OR st.id = $3) AND p.cancelled_at IS NULL`
	// Credits without a purchase (welcome, bonuses, nudges, goodwill,
	// adjustments) and expiries, of the store's members. The member's
	// store is looked up per row (a scalar subquery, two index probes):
	// as an EXISTS the planner hashed every member of the store, wide
	// customers rows and all cards, seconds on a million.
	// What was taken back nets what was given: a nudge's bonus withdrawn
	// with its message, a correction's minus, a badge, a referral or a
	// held welcome bonus taken back with its purchase. Issued less
	// redeemed and expired is then what the cards gained.
	// What an erasure took off a card is counted apart (forfeited), not
	// netted from what was issued.
	kpiLedger = `SELECT coalesce(sum(l.amount) FILTER (WHERE l.kind NOT IN ('expire', '` + string(domain.LedgerForfeit) + `')), 0)::bigint,
       coalesce(-sum(l.amount) FILTER (WHERE l.kind = 'expire'), 0)::bigint,
       coalesce(-sum(l.amount) FILTER (WHERE l.kind = '` + string(domain.LedgerForfeit) + `'), 0)::bigint
  FROM ledger l
 WHERE l.kind NOT IN ('earn', 'redeem', 'reversal', 'return', 'prize') AND l.created_at >= $1 AND l.created_at < $2
   AND ($3 = 0 OR (SELECT a.store_id FROM cards k JOIN customer_activity a ON a.customer_id = k.customer_id
                    WHERE k.id = l.card_id) = $3)`
	// $4 the bad-rating threshold.
	// The bad ratings someone handled, and the median wait (seconds)
	// from the rating to the first handling.
	kpiFeedback = `SELECT count(*), coalesce(sum(f.stars), 0)::bigint, count(*) FILTER (WHERE f.stars <= $4),
       count(*) FILTER (WHERE f.stars <= $4 AND f.handled_at IS NOT NULL),
       coalesce(round(extract(epoch FROM percentile_disc(0.5) WITHIN GROUP (ORDER BY f.handled_at - f.created_at)
                FILTER (WHERE f.stars <= $4 AND f.handled_at IS NOT NULL))), 0)::bigint
  FROM feedback f
 WHERE f.created_at >= $1 AND f.created_at < $2 AND ($3 = 0 OR f.store_id = $3) AND ` + liveFeedback
	kpiNudges = `SELECT count(*) FILTER (WHERE n.outcome = 'sent'), count(*) FILTER (WHERE n.outcome = 'held_out'),
       count(*) FILTER (WHERE n.reason = '` + domain.SkipCapped + `'),
       count(*) FILTER (WHERE n.reason IN ('` + domain.SkipOptedOut + `', '` + domain.SkipErased + `')),
       count(*) FILTER (WHERE n.clicked_at IS NOT NULL),
       count(*) FILTER (WHERE n.outcome = 'sent' AND n.converted_at IS NOT NULL),
       count(*) FILTER (WHERE n.outcome = 'held_out' AND n.converted_at IS NOT NULL),
       coalesce(sum(n.points), 0)::bigint,
       coalesce(sum(n.revenue) FILTER (WHERE n.outcome = 'sent'), 0)::bigint,
       coalesce(sum(n.revenue) FILTER (WHERE n.outcome = 'held_out'), 0)::bigint
  FROM nudges n
 WHERE n.due_at >= $1 AND n.due_at < $2
   AND ($3 = 0 OR (SELECT a.store_id FROM customer_activity a WHERE a.customer_id = n.customer_id) = $3)`
)

// kpiInquiries counts the questions to the shop asked in the period
// (inquiries_created), how they were handled, and the median wait
// (seconds) of the answered ones. One its customer's erasure closed
// unhandled is closed without an answer. A question of the business as a whole
// (no store) counts for all stores only.
const kpiInquiries = `SELECT count(*), count(*) FILTER (WHERE q.answered),
       count(*) FILTER (WHERE q.resolution IN ('resolved', '` + domain.ResolutionErased + `') AND NOT q.answered),
       coalesce(round(extract(epoch FROM percentile_disc(0.5) WITHIN GROUP (ORDER BY q.handled_at - q.created_at)
                FILTER (WHERE q.answered))), 0)::bigint
  FROM inquiries q
 WHERE q.created_at >= $1 AND q.created_at < $2 AND ($3 = 0 OR q.store_id = $3)`

// kpiReviewInvites counts the happy customers asked to review a store on
// the map in the period (review_invites_time).
const kpiReviewInvites = `SELECT count(*) FROM review_invites r
 WHERE r.invited_at >= $1 AND r.invited_at < $2 AND ($3 = 0 OR r.store_id = $3)`

// kpiPrizes sums the prizes given in the period that stand
// (prizes_given_time).
const kpiPrizes = `SELECT count(*), coalesce(sum(g.points), 0)::bigint
  FROM prizes_given g
 WHERE g.created_at >= $1 AND g.created_at < $2 AND ($3 = 0 OR g.store_id = $3) AND g.cancelled_at IS NULL`

// kpiReturns sums the returns of items made in the period
// (purchase_returns_time), and the points short of them: earned points the
// return took off its purchase that the customer had spent already (kept
// from the refund). Those stay issued: they were on the card, and the
// redemption that spent them counts.
const kpiReturns = `SELECT count(*), coalesce(sum(r.amount), 0)::bigint, coalesce(sum(r.refund), 0)::bigint,
       coalesce(sum(r.points_short), 0)::bigint
  FROM purchase_returns r
 WHERE r.created_at >= $1 AND r.created_at < $2 AND ($3 = 0 OR r.store_id = $3)`

// kpiReferrals counts the friends who joined through a member's r_ link
// in the period (referrals, migration 0025); a join the program refused
// (a former member, the member's own phone) brought nobody new.
const kpiReferrals = `SELECT count(*)
  FROM referrals r
 WHERE r.joined_at >= $1 AND r.joined_at < $2 AND r.refused = ''
   AND ($3 = 0 OR (SELECT a.store_id FROM customer_activity a WHERE a.customer_id = r.friend_id) = $3)`

// kpiPromotions sums the period's live purchases by the promotion that
// multiplied their points (read only when the config has promotions).
const kpiPromotions = `SELECT p.promotion, count(*), coalesce(sum(p.amount), 0)::bigint,
       coalesce(sum(p.points_earned), 0)::bigint
  FROM stores st JOIN purchases p ON p.store_id = st.id AND p.created_at >= $1 AND p.created_at < $2
 WHERE ($3 = 0 OR st.id = $3) AND p.cancelled_at IS NULL AND p.promotion IS NOT NULL
 GROUP BY p.promotion ORDER BY count(*) DESC, p.promotion`

// ReadKPIs reads the indicators of q in one round trip.
func (t *tx) ReadKPIs(ctx context.Context, q domain.KPIQuery) (*domain.KPIs, error) {
	k := &domain.KPIs{}
	ns := &k.Nudges
	args := []any{q.From, q.To, q.ShopID}
	b := &pgx.Batch{}
	// count(DISTINCT) sorts the period's buyers in memory, not in temp
	// files; and no JIT: PostgreSQL compiles a query whose estimated cost
	// is high (the one-store generic plans are), which cost more than a
	// second of CPU per report on 2 cores and saves a few milliseconds
	// here.
	b.Queue(`SET LOCAL work_mem = '64MB'`)
	b.Queue(`SET LOCAL jit = off`)
	b.Queue(kpiMembers, append(args, q.Now.AddDate(0, 0, -domain.ActiveDays), q.Now.AddDate(0, 0, -domain.SleepingDays),
		q.Sections)...).
		QueryRow(func(r pgx.Row) error {
			return r.Scan(&k.Members, &k.NewMembers, &k.Reachable, &k.Marketing, &k.ProfileComplete, &k.Active,
				&k.Sleeping, &k.Lost, &k.NeverBought, &k.Repeaters, &k.PointsOutstanding)
		})
	b.Queue(kpiPurchases, args...).QueryRow(func(r pgx.Row) error {
		return r.Scan(&k.Purchases, &k.PeriodBuyers, &k.Revenue, &k.PointsIssued, &k.PointsRedeemed)
	})
	var bonuses int64
	b.Queue(kpiLedger, args...).QueryRow(func(r pgx.Row) error {
		return r.Scan(&bonuses, &k.PointsExpired, &k.PointsForfeited)
	})
	queueCare(b, q, k)
	b.Queue(kpiNudges, args...).QueryRow(func(r pgx.Row) error {
		return r.Scan(&ns.Sent, &ns.HeldOut, &ns.Skipped, &ns.Withdrawn, &ns.Clicked, &ns.ConvertedSent, &ns.ConvertedHeldOut,
			&ns.Points, &ns.RevenueSent, &ns.RevenueHeld)
	})
	b.Queue(kpiReferrals, args...).QueryRow(func(r pgx.Row) error {
		return r.Scan(&k.ReferralJoins)
	})
	var short int64
	b.Queue(kpiReturns, args...).QueryRow(func(r pgx.Row) error {
		return r.Scan(&k.Returns, &k.Returned, &k.Refunded, &short)
	})
	b.Queue(kpiPrizes, args...).QueryRow(func(r pgx.Row) error {
		return r.Scan(&k.Prizes, &k.PrizePoints)
	})
	if q.Promotions {
		b.Queue(kpiPromotions, args...).Query(func(rows pgx.Rows) error {
			var err error
			k.Promotions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.PromotionStat, error) {
				var p domain.PromotionStat
				err := r.Scan(&p.ID, &p.Purchases, &p.Revenue, &p.Earned)
				return p, err
			})
			return err
		})
	}
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("read kpis: %w", mapErr(err))
	}
	k.Buyers = k.Members - k.NeverBought
	k.PointsIssued += bonuses + short
	k.PointsRedeemed += k.PrizePoints
	ns.Due = ns.Sent + ns.HeldOut + ns.Skipped + ns.Withdrawn
	return k, nil
}

// queueCare queues the ratings' and the questions' statements of q into
// b, to be read into k: the ratings, their stars and the bad ones, and
// how the shop answered (KPIs.Care).
func queueCare(b *pgx.Batch, q domain.KPIQuery, k *domain.KPIs) {
	b.Queue(kpiFeedback, q.From, q.To, q.ShopID, q.BadStars).QueryRow(func(r pgx.Row) error {
		var wait int64
		err := r.Scan(&k.Ratings, &k.StarsSum, &k.BadRatings, &k.Care.BadHandled, &wait)
		k.Care.BadMedian = time.Duration(wait) * time.Second
		return err
	})
	b.Queue(kpiInquiries, q.From, q.To, q.ShopID).QueryRow(func(r pgx.Row) error {
		var wait int64
		err := r.Scan(&k.Care.Questions, &k.Care.Answered, &k.Care.NoAnswer, &wait)
		k.Care.QuestionsMedian = time.Duration(wait) * time.Second
		return err
	})
	b.Queue(kpiReviewInvites, q.From, q.To, q.ShopID).QueryRow(func(r pgx.Row) error {
		return r.Scan(&k.Care.ReviewInvites)
	})
}

// ReadCare reads how the shop answered its customers in q's period: the
// ratings' counts and KPIs.Care, in one round trip.
func (t *tx) ReadCare(ctx context.Context, q domain.KPIQuery) (*domain.KPIs, error) {
	k := &domain.KPIs{}
	b := &pgx.Batch{}
	queueCare(b, q, k)
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("read care: %w", mapErr(err))
	}
	return k, nil
}

// kpiCohorts counts the members who joined from $1 to $2 by the month of
// joining and the month of their last purchase, both in the zone $4,
// each as year×12 + month − 1 (−1: never bought).
// It reads the narrow customer_activity rows alone (migration 0031).
const kpiCohorts = `SELECT j.m, coalesce(l.m - j.m, -1), count(*)
  FROM customer_activity a
 CROSS JOIN LATERAL (SELECT (extract(year FROM a.member_since AT TIME ZONE $4) * 12
                            + extract(month FROM a.member_since AT TIME ZONE $4) - 1)::int AS m) j
 CROSS JOIN LATERAL (SELECT (extract(year FROM a.last_purchase_at AT TIME ZONE $4) * 12
                            + extract(month FROM a.last_purchase_at AT TIME ZONE $4) - 1)::int AS m) l
 WHERE a.member_since >= $1 AND a.member_since < $2 AND ($3 = 0 OR a.store_id = $3)
 GROUP BY 1, 2 ORDER BY 1, 2`

// ReadCohorts reads the cohort counts (customers_joined walks the months).
func (t *tx) ReadCohorts(ctx context.Context, q domain.KPIQuery, loc *time.Location) ([]domain.CohortRow, error) {
	// No JIT (see ReadKPIs): compiling this one took a quarter of a
	// second of CPU each time.
	if _, err := t.tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
		return nil, fmt.Errorf("read cohorts: %w", mapErr(err))
	}
	rows, _ := t.tx.Query(ctx, kpiCohorts, q.From, q.To, q.ShopID, loc.String())
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.CohortRow, error) {
		var c domain.CohortRow
		err := r.Scan(&c.Month, &c.LastMonth, &c.Members)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("read cohorts: %w", mapErr(err))
	}
	return out, nil
}

// kpiStaff: per staff member, the customers they signed up in the period
// (customers_signed_up_by) and how many of those bought twice or more,
// the period's checkouts (and how many of them they cancelled
// themselves: a full return, which cancels a purchase too, is no
// cancel), prizes given and ratings, and the customers they
// answered (a question replied to, a bad rating replied to or made good
// with points, of the period; each customer once, and like a question
// closed without an answer, a rating marked resolved without a word to
// the customer is no answer), and the returns of items they took (of
// purchases of any day, purchase_returns_staff_time) with the money paid
// back, at the store $3 (0: all; a question of no store counts there only).
// Listed: the store's active cashiers, and anyone with a number in the
// period.
const kpiStaff = `WITH su AS (
SELECT c.signed_up_by AS staff_id, count(*) AS n, count(*) FILTER (WHERE a.purchases >= 2) AS rep
  FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id
 WHERE c.signed_up_by IS NOT NULL AND c.joined_at >= $1 AND c.joined_at < $2 AND c.erased_at IS NULL
   AND ($3 = 0 OR c.joined_store_id = $3)
 GROUP BY 1),
co AS (
SELECT p.staff_id, count(*) FILTER (WHERE p.cancelled_at IS NULL) AS n,
       count(*) FILTER (WHERE p.cancelled_by = p.staff_id AND NOT EXISTS (
           SELECT 1 FROM purchase_returns r WHERE r.purchase_id = p.id AND r.created_at = p.cancelled_at)) AS own_cancels
  FROM stores st JOIN purchases p ON p.store_id = st.id AND p.created_at >= $1 AND p.created_at < $2
 WHERE ($3 = 0 OR st.id = $3) AND p.staff_id IS NOT NULL
 GROUP BY 1),
fb AS (
SELECT f.staff_id, count(*) AS n, sum(f.stars) AS stars
  FROM feedback f
 WHERE f.created_at >= $1 AND f.created_at < $2 AND f.staff_id IS NOT NULL AND ($3 = 0 OR f.store_id = $3)
   AND ` + liveFeedback + `
 GROUP BY 1),
pr AS (
SELECT g.staff_id, count(*) AS n
  FROM prizes_given g
 WHERE g.created_at >= $1 AND g.created_at < $2 AND g.staff_id IS NOT NULL AND g.cancelled_at IS NULL
   AND ($3 = 0 OR g.store_id = $3)
 GROUP BY 1),
an AS (
SELECT x.staff_id, count(DISTINCT x.customer_id) AS n
  FROM (SELECT q.handled_by AS staff_id, q.customer_id FROM inquiries q
         WHERE q.created_at >= $1 AND q.created_at < $2 AND q.answered AND ($3 = 0 OR q.store_id = $3)
        UNION ALL
        SELECT f.handled_by, f.customer_id FROM feedback f
         WHERE f.created_at >= $1 AND f.created_at < $2 AND f.answered
           AND ($3 = 0 OR f.store_id = $3)) x
 GROUP BY 1),
rt AS (
SELECT r.staff_id, count(*) AS n, sum(r.refund)::bigint AS refund
  FROM purchase_returns r
 WHERE r.created_at >= $1 AND r.created_at < $2 AND r.staff_id IS NOT NULL AND ($3 = 0 OR r.store_id = $3)
 GROUP BY 1)
SELECT s.id, s.first_name, s.role, coalesce(s.store_id, 0), s.revoked_at IS NULL,
       coalesce(su.n, 0), coalesce(su.rep, 0), coalesce(co.n, 0), coalesce(fb.n, 0), coalesce(fb.stars, 0)::bigint,
       coalesce(pr.n, 0), coalesce(co.own_cancels, 0), coalesce(an.n, 0), coalesce(rt.n, 0), coalesce(rt.refund, 0)
  FROM staff s
  LEFT JOIN su ON su.staff_id = s.id
  LEFT JOIN co ON co.staff_id = s.id
  LEFT JOIN fb ON fb.staff_id = s.id
  LEFT JOIN pr ON pr.staff_id = s.id
  LEFT JOIN an ON an.staff_id = s.id
  LEFT JOIN rt ON rt.staff_id = s.id
 WHERE su.n IS NOT NULL OR co.n IS NOT NULL OR fb.n IS NOT NULL OR pr.n IS NOT NULL OR an.n IS NOT NULL OR rt.n IS NOT NULL
    OR (s.revoked_at IS NULL AND s.role = 'cashier' AND ($3 = 0 OR s.store_id = $3))
 ORDER BY coalesce(su.n, 0) DESC, coalesce(co.n, 0) DESC, s.id`

// ReadStaffKPIs reads each staff member's line of /stats staff.
func (t *tx) ReadStaffKPIs(ctx context.Context, q domain.KPIQuery) ([]domain.StaffKPI, error) {
	rows, _ := t.tx.Query(ctx, kpiStaff, q.From, q.To, q.ShopID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.StaffKPI, error) {
		var k domain.StaffKPI
		var role string
		err := r.Scan(&k.StaffID, &k.Name, &role, &k.ShopID, &k.Active, &k.SignedUp, &k.Repeaters, &k.Checkouts,
			&k.Ratings, &k.StarsSum, &k.Prizes, &k.OwnCancels, &k.Answered, &k.Returns, &k.Refunded)
		k.Role = domain.Role(role)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("read staff kpis: %w", mapErr(err))
	}
	return out, nil
}

// SetSignedUpBy records who signed a customer up.
func (t *tx) SetSignedUpBy(ctx context.Context, customerID, staffID int64) error {
	_, err := t.tx.Exec(ctx, `UPDATE customers SET signed_up_by = $2 WHERE id = $1`, customerID, staffID)
	if err != nil {
		return fmt.Errorf("set signed up by: %w", mapErr(err))
	}
	return nil
}
