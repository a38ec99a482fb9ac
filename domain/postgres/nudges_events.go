package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// nudgeEvent finds the online shop's events of the rule's type that
// happened Delay ago (within the window), walked by type and time
// (shop_events_type_time). An event is passed over when the same customer
// had a later one of the same type (that one is the occurrence), or one
// of the types that spare them, or (when UnlessPurchase is listed) a
// purchase after it, up to now. $10 happened at or before, $11 after,
// $12 the type, $13 the sparing types, $14 a purchase spares.
const nudgeEvent = `SELECT e.customer_id, e.id::text AS occ, 0::bigint AS points, NULL::timestamptz AS expires, false AS done,
       ''::text AS category
  FROM shop_events e
 WHERE e.type = $12 AND e.occurred_at <= $10 AND e.occurred_at > $11
   AND NOT EXISTS (SELECT 1 FROM shop_events x WHERE x.customer_id = e.customer_id
                      AND x.occurred_at >= e.occurred_at AND x.occurred_at <= $9
                      AND (x.type = ANY($13::text[])
                        OR (x.type = e.type AND (x.occurred_at > e.occurred_at OR x.id > e.id))))
   AND NOT ($14 AND EXISTS (SELECT 1 FROM cards k JOIN purchases p ON p.card_id = k.id
                             WHERE k.customer_id = e.customer_id AND p.cancelled_at IS NULL
                               AND p.created_at >= e.occurred_at AND p.created_at <= $9))`

// nudgeEventArgs appends an event rule's parameters.
func nudgeEventArgs(q domain.NudgeQuery, args []any) []any {
	r := q.Rule
	var unless []string
	purchase := false
	for _, u := range r.UnlessEvents {
		if u == domain.UnlessPurchase {
			purchase = true
			continue
		}
		unless = append(unless, u)
	}
	due := q.Now.Add(-r.Delay)
	return append(args, due, due.AddDate(0, 0, -r.Window), string(r.Event), unless, purchase)
}

// addEventItems gives each due customer the items of their event, in one
// query for the batch.
func (t *tx) addEventItems(ctx context.Context, dues []domain.NudgeDue) error {
	if len(dues) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(dues))
	for _, d := range dues {
		id, err := strconv.ParseInt(d.Occurrence, 10, 64)
		if err != nil {
			return fmt.Errorf("event nudge occurrence %q: %w", d.Occurrence, err)
		}
		ids = append(ids, id)
	}
	rows, _ := t.tx.Query(ctx, `SELECT id, items FROM shop_events WHERE id = ANY($1)`, ids)
	type row struct {
		ID    int64
		Items []byte
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		return fmt.Errorf("event nudge items: %w", mapErr(err))
	}
	items := make(map[string][]domain.ShopItem, len(rs))
	for _, r := range rs {
		var its []domain.ShopItem
		if err := json.Unmarshal(r.Items, &its); err != nil {
			return fmt.Errorf("shop event %d: items: %w", r.ID, err)
		}
		items[strconv.FormatInt(r.ID, 10)] = its
	}
	for i := range dues {
		dues[i].Items = items[dues[i].Occurrence]
	}
	return nil
}

// withdrawSpared takes back, at $4, customer $1's nudges of the event
// rules $2 queued and not sent yet whose shop event (their occurrence)
// happened at or before $3, when the event that spares them came, as
// withdrawBought does for a purchase.
const withdrawSpared = `WITH gone AS (
UPDATE outbox o SET dropped_at = $4, last_error = '` + withdrawnError + `', payload = '{}', payloads = NULL
  FROM nudges n
  JOIN shop_events e ON e.id = CASE WHEN n.occurrence ~ '^[0-9]{1,18}$' THEN n.occurrence::bigint END
 WHERE n.customer_id = $1 AND n.outcome = 'sent' AND n.rule = ANY($2::text[])
   AND e.customer_id = $1 AND e.occurred_at <= $3
   AND o.nudge_id = n.id AND ` + chatPending + `
   AND (o.claimed_until IS NULL OR o.claimed_until < now())
RETURNING o.nudge_id)
UPDATE nudges SET outcome = 'skipped', reason = '` + domain.SkipDone + `' WHERE id IN (SELECT nudge_id FROM gone)`

// WithdrawSparedNudges takes back the customer's waiting event nudges
// that a later event spares, and their bonus, with the commit.
func (t *tx) WithdrawSparedNudges(ctx context.Context, customerID int64, rules []string, occurred, at time.Time) error {
	b := &pgx.Batch{}
	b.Queue(withdrawSpared, customerID, rules, occurred, t.stamp(at))
	b.Queue(withdrawBonus, customerID, t.stamp(at))
	t.tx.Defer(b)
	return nil
}
