package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// nudgeReplenish is the replenishment rule's candidates: per configured
// category, the last purchases whose cycle ends within the window (a
// nested loop over the categories, each a range of
// replenishments_category), unless the customer's own rhythm applies; and
// the customers whose own rhythm ends within it (replenishments_personal;
// materialized, so the planner does not AND it with the category index,
// which matches a large part of the table). The occurrence is the
// purchase and the category, so each category of a receipt gets its
// reminder and a new purchase in the category (which replaces the row)
// starts anew. One category per customer and run: a second one due at
// once waits for the next run, where the frequency cap decides. $10 the
// categories, $11 the last purchase at or before which each is due, $12
// after which; $13 lead days, $14 own rhythm after this many visits (0:
// never), $15 every category by the own rhythm, $16 window (days).
const nudgeReplenish = `WITH own AS MATERIALIZED (
SELECT r.customer_id, r.purchase_id, r.category, r.bought_at
  FROM replenishments r
 WHERE $14::int > 0
   AND r.personal_at <= $9::timestamptz + $13::int * interval '24 hours'
   AND r.personal_at > $9::timestamptz + ($13::int - $16::int) * interval '24 hours'
   AND r.visits >= $14::int AND r.median_days > $13::int)
SELECT DISTINCT ON (x.customer_id) x.customer_id, x.occ, 0::bigint AS points,
       NULL::timestamptz AS expires, false AS done, x.category
  FROM (SELECT r.customer_id, r.purchase_id || ':' || r.category AS occ, r.category, r.bought_at
          FROM unnest($10::text[], $11::timestamptz[], $12::timestamptz[]) AS cy(category, upto, since)
          JOIN replenishments r ON r.category = cy.category AND r.bought_at <= cy.upto AND r.bought_at > cy.since
         WHERE NOT ($14::int > 0 AND r.visits >= $14::int AND r.median_days > $13::int)
        UNION ALL
        SELECT own.customer_id, own.purchase_id || ':' || own.category, own.category, own.bought_at
          FROM own WHERE $15::boolean OR own.category = ANY($10::text[])) x
 WHERE NOT EXISTS (SELECT 1 FROM nudges n WHERE n.rule = $1 AND n.customer_id = x.customer_id AND n.occurrence = x.occ)
 ORDER BY x.customer_id, x.bought_at, x.category`

// replenishArgs are the replenishment query's own parameters: the
// categories in Cycles with the range of last purchases due now.
func replenishArgs(r domain.NudgeRule, now time.Time) []any {
	cats := slices.Sorted(maps.Keys(r.Cycles))
	upto, since := make([]time.Time, len(cats)), make([]time.Time, len(cats))
	for i, c := range cats {
		upto[i] = now.Add(-time.Duration(r.Cycles[c]-r.LeadDays) * 24 * time.Hour)
		since[i] = upto[i].Add(-time.Duration(r.Window) * 24 * time.Hour)
	}
	return []any{cats, upto, since, r.LeadDays, r.PersonalAfter, r.AllCategories, r.Window}
}

// textCategories are the categories a rule has a text for (never nil: an
// array parameter).
func textCategories(r domain.NudgeRule) []string {
	cats := slices.Sorted(maps.Keys(r.CategoryText))
	if cats == nil {
		cats = []string{}
	}
	return cats
}

// trackReplenishment rewrites, for each category of $3, the customer's
// last live purchase there and their rhythm: visits (purchases at least
// half a day apart) and the median gap in whole days (percentile_disc, an
// integer: the lower middle), from the card's live purchases
// (purchases_card_live). A category with no live purchase left (the only
// one was cancelled) loses its row. $1 customer, $2 card.
const trackReplenishment = `WITH cats AS (SELECT DISTINCT unnest($3::text[]) AS category),
hist AS (
SELECT c.category, p.id, p.created_at,
       round(extract(epoch FROM p.created_at - lag(p.created_at)
             OVER (PARTITION BY c.category ORDER BY p.created_at, p.id)) / 86400)::int AS gap
  FROM cats c JOIN purchases p ON p.card_id = $2 AND p.cancelled_at IS NULL AND c.category = ANY(p.categories)),
agg AS (
SELECT category, (array_agg(id ORDER BY created_at DESC, id DESC))[1] AS purchase_id, max(created_at) AS bought_at,
       1 + count(*) FILTER (WHERE gap >= 1) AS visits,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY gap) FILTER (WHERE gap >= 1) AS median_days
  FROM hist GROUP BY category),
gone AS (
DELETE FROM replenishments r USING cats
 WHERE r.customer_id = $1 AND r.category = cats.category
   AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.category = cats.category))
INSERT INTO replenishments (customer_id, category, purchase_id, bought_at, visits, median_days, personal_at)
SELECT $1, category, purchase_id, bought_at, visits, median_days, bought_at + median_days * interval '24 hours'
  FROM agg
ON CONFLICT (customer_id, category) DO UPDATE SET purchase_id = excluded.purchase_id, bought_at = excluded.bought_at,
   visits = excluded.visits, median_days = excluded.median_days, personal_at = excluded.personal_at`

// withdrawReplenished takes back, at $3, customer $1's replenishment
// reminders of the categories $2 queued and not sent yet (their
// occurrence is "<purchase id>:<category>", see nudgeReplenish), as
// withdrawQueued does, recorded as done: the customer bought again
// before the reminder could go. Their nudges through nudges_customer,
// their rows through outbox_nudge.
const withdrawReplenished = `WITH gone AS (
UPDATE outbox o SET dropped_at = $3, last_error = '` + withdrawnError + `', payload = '{}', payloads = NULL
  FROM nudges n
 WHERE n.customer_id = $1 AND n.outcome <> 'skipped' AND n.outcome = 'sent'
   AND n.occurrence ~ '^[0-9]+:' AND substr(n.occurrence, strpos(n.occurrence, ':') + 1) = ANY($2::text[])
   AND o.nudge_id = n.id AND ` + chatPending + `
   AND (o.claimed_until IS NULL OR o.claimed_until < now())
RETURNING o.nudge_id)
UPDATE nudges SET outcome = 'skipped', reason = '` + domain.SkipDone + `' WHERE id IN (SELECT nudge_id FROM gone)`

// withdrawUnbought takes back, at $3, customer $1's replenishment
// reminders of the categories $2 queued and not sent yet for a purchase
// cancelled (or returned in full) since, as withdrawReplenished does:
// there is nothing left of it to restock.
const withdrawUnbought = `WITH gone AS (
UPDATE outbox o SET dropped_at = $3, last_error = '` + withdrawnError + `', payload = '{}', payloads = NULL
  FROM nudges n
 WHERE n.customer_id = $1 AND n.outcome = 'sent'
   AND n.occurrence ~ '^[0-9]{1,18}:' AND substr(n.occurrence, strpos(n.occurrence, ':') + 1) = ANY($2::text[])
   AND EXISTS (SELECT 1 FROM purchases p WHERE p.id = split_part(n.occurrence, ':', 1)::bigint AND p.cancelled_at IS NOT NULL)
   AND o.nudge_id = n.id AND ` + chatPending + `
   AND (o.claimed_until IS NULL OR o.claimed_until < now())
RETURNING o.nudge_id)
UPDATE nudges SET outcome = 'skipped', reason = '` + domain.SkipDone + `' WHERE id IN (SELECT nudge_id FROM gone)`

// TrackReplenishment rewrites the customer's rows of the categories with
// the commit, after the purchase's own deferred writes: the money path
// pays no round trip for it. A purchase (bought not zero) also withdraws
// the reminders of its categories still waiting, and their bonus; a
// cancellation (or a return in full) those of the purchase it undid.
func (t *tx) TrackReplenishment(ctx context.Context, customerID, cardID int64, categories []string, bought time.Time) error {
	b := &pgx.Batch{}
	b.Queue(trackReplenishment, customerID, cardID, categories)
	if !bought.IsZero() {
		b.Queue(withdrawReplenished, customerID, categories, t.stamp(bought))
		b.Queue(withdrawBonus, customerID, t.stamp(bought))
	} else {
		b.Queue(withdrawUnbought, customerID, categories, t.stamp(bought))
		b.Queue(withdrawBonus, customerID, t.stamp(bought))
	}
	t.tx.Defer(b)
	return nil
}

// withdrawBought takes back, at $3, customer $1's nudges of rules $2 (a
// win-back, an event rule a purchase spares) queued and not sent yet, as
// withdrawReplenished does: the customer came and bought before they
// could go.
const withdrawBought = `WITH gone AS (
UPDATE outbox o SET dropped_at = $3, last_error = '` + withdrawnError + `', payload = '{}', payloads = NULL
  FROM nudges n
 WHERE n.customer_id = $1 AND n.outcome = 'sent' AND n.rule = ANY($2::text[])
   AND o.nudge_id = n.id AND ` + chatPending + `
   AND (o.claimed_until IS NULL OR o.claimed_until < now())
RETURNING o.nudge_id)
UPDATE nudges SET outcome = 'skipped', reason = '` + domain.SkipDone + `' WHERE id IN (SELECT nudge_id FROM gone)`

// WithdrawBoughtNudges takes back the customer's waiting nudges of the
// rules and their bonus, with the commit (no round trip of its own).
func (t *tx) WithdrawBoughtNudges(ctx context.Context, customerID int64, rules []string, bought time.Time) error {
	b := &pgx.Batch{}
	b.Queue(withdrawBought, customerID, rules, t.stamp(bought))
	b.Queue(withdrawBonus, customerID, t.stamp(bought))
	t.tx.Defer(b)
	return nil
}

// withdrawSwitchedOff takes back, at $2, the nudges of the rules not in
// $1 (switched off in the config) queued and not sent yet, as
// withdrawBought does, recorded as switched off; it returns their
// customers, whose bonus withdrawBonus then takes back. It runs every
// minute: it reads the queue (outbox_due) and each queued nudge by its
// id, the subquery keeping the planner from reading every nudge ever
// sent for the rules not in $1.
const withdrawSwitchedOff = `WITH gone AS (
UPDATE outbox o SET dropped_at = $2, last_error = '` + withdrawnError + `', payload = '{}', payloads = NULL
 WHERE o.nudge_id IS NOT NULL AND o.sent_at IS NULL AND o.dropped_at IS NULL
   AND (SELECT n.rule FROM nudges n WHERE n.id = o.nudge_id AND n.outcome = 'sent') <> ALL ($1::text[])
   AND (o.claimed_until IS NULL OR o.claimed_until < now())
RETURNING o.nudge_id)
UPDATE nudges SET outcome = 'skipped', reason = '` + domain.SkipSwitchedOff + `' WHERE id IN (SELECT nudge_id FROM gone)
RETURNING customer_id`

// WithdrawSwitchedOffNudges takes back the waiting nudges of the rules
// switched off, and their bonus.
func (t *tx) WithdrawSwitchedOffNudges(ctx context.Context, enabled []string, at time.Time) error {
	rows, _ := t.tx.Query(ctx, withdrawSwitchedOff, enabled, t.stamp(at))
	customers, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("withdraw switched-off nudges: %w", mapErr(err))
	}
	slices.Sort(customers)
	for _, c := range slices.Compact(customers) {
		if _, err := t.tx.Exec(ctx, withdrawBonus, c, t.stamp(at)); err != nil {
			return fmt.Errorf("withdraw switched-off nudge bonus: %w", mapErr(err))
		}
	}
	return nil
}

// reopenWithdrawn renames the occurrence of customer $1's nudges that
// purchase $2 withdrew (their outbox rows dropped as withdrawn at its
// time, recorded as done), the purchase being cancelled or returned in
// full: the row stays for the report, and the engine may record the
// occasion anew (a win-back whose last purchase is again the old one).
const reopenWithdrawn = `UPDATE nudges n SET occurrence = n.occurrence || '/undone:' || p.id
  FROM outbox o, purchases p
 WHERE n.customer_id = $1 AND n.outcome = 'skipped' AND n.reason = '` + domain.SkipDone + `'
   AND p.id = $2 AND o.nudge_id = n.id AND o.last_error = '` + withdrawnError + `' AND o.dropped_at = p.created_at`

// withdrawUndoneBonus takes back, at $3, what the cancel of purchase $2
// gave back to the bonus of customer $1's nudges that purchase withdrew,
// it having paid part of it (withdrawBonus took back the rest then, once
// per nudge): the nudge recorded anew brings its own.
const withdrawUndoneBonus = `WITH w AS (
SELECT n.id, n.rule, g.card_id, l.id AS lot_id, l.remaining
  FROM nudges n
  JOIN outbox o ON o.nudge_id = n.id
  JOIN purchases p ON p.id = $2
  JOIN ledger g ON g.idempotency_key = 'nudge:' || n.id
  JOIN point_lots l ON l.ledger_id = g.id
 WHERE n.customer_id = $1 AND n.outcome = 'skipped' AND n.reason = '` + domain.SkipDone + `'
   AND o.last_error = '` + withdrawnError + `' AND o.dropped_at = p.created_at
   AND n.points > 0 AND l.remaining > 0
   AND NOT EXISTS (SELECT 1 FROM ledger x WHERE x.idempotency_key = 'nudge-withdrawn:' || n.id || '/undone:' || $2)
),
lots AS (UPDATE point_lots l SET remaining = 0 FROM w WHERE l.id = w.lot_id)
INSERT INTO ledger (card_id, kind, amount, reason, idempotency_key, created_at)
SELECT card_id, '` + string(domain.LedgerNudgeWithdrawn) + `', -remaining, rule, 'nudge-withdrawn:' || id || '/undone:' || $2, $3 FROM w
ON CONFLICT (idempotency_key) DO NOTHING`

// ReopenWithdrawnNudges queues reopenWithdrawn for the commit. First
// the bonus of a withdrawn nudge that the undone purchase paid with (so
// none was left to take back at the withdrawal) and just gave back is
// taken back, as a cancellation with categories does (TrackReplenishment):
// the nudge recorded anew brings its own, not a second one.
func (t *tx) ReopenWithdrawnNudges(ctx context.Context, customerID, purchaseID int64) error {
	b := &pgx.Batch{}
	b.Queue(withdrawBonus, customerID, t.now())
	b.Queue(withdrawUndoneBonus, customerID, purchaseID, t.now())
	b.Queue(reopenWithdrawn, customerID, purchaseID)
	t.tx.Defer(b)
	return nil
}
