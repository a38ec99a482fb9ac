package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// nudgeDue wraps a rule's candidates (customer_id, occ, points, expires,
// done: the step is pointless for them, recorded as skipped; category:
// the triggering purchase's or empty; names, whose family birthday, added
// as empty for the other kinds by nudgeSQL)
// with what every rule checks, in one statement: members still reachable,
// the occurrence not recorded yet, the hold-out group by a hash of rule,
// customer and occurrence (the same in a dry run), and for a marketing
// rule the consent, the topic and the frequency cap; a rule that waits
// (domain.NudgeRule.Waits) is left for a later tick while another nudge
// went out to the customer after its own last parameter. $1 rule, $2
// marketing, $3 topic, $4 topic default, $5 cap since (NULL: none), $6
// hold-out percent, $7 all (dry run), $8 limit, $9 now; the kind's own
// parameters follow. @zone stands for the last parameter, the zone of a
// customer without a store (NudgeQuery.Zone). The member and the card are looked up per
// candidate (a LATERAL with LIMIT, which the planner cannot turn into a
// join): as joins they read the whole customers or cards table, or walked
// its index from the start, for a few thousand candidates.
const nudgeDue = `
WITH cand AS (%s),
due AS (
SELECT cand.customer_id, c.chat_id, c.language, c.first_name, k.id AS card_id, k.balance,
       coalesce(s.timezone, @zone) AS tz,
       cand.occ, cand.points, cand.expires, cand.names,
       coalesce(c.contact_from, 0) AS contact_from, coalesce(c.contact_to, 0) AS contact_to, cand.category,
       %s AS last_offer,
       abs(hashtextextended($1 || ':' || c.id || ':' || cand.occ, 0)) %% 100 < $6 AS held_out,
       CASE WHEN cand.done THEN 'done'
            WHEN EXISTS (SELECT 1 FROM nudges d WHERE d.customer_id = c.id AND d.rule = ANY($%d::text[])
                          AND d.declined_at IS NOT NULL)
                 THEN 'declined'%s
            WHEN NOT $2 THEN ''
            WHEN NOT c.marketing THEN 'no_consent'
            WHEN $3 <> '' AND NOT coalesce((SELECT ts.subscribed FROM topic_subscriptions ts
                                             WHERE ts.customer_id = c.id AND ts.topic = $3), $4) THEN 'unsubscribed'
            WHEN $5::timestamptz IS NOT NULL AND EXISTS (SELECT 1 FROM nudges m
                  WHERE m.customer_id = c.id AND m.marketing AND m.outcome = 'sent' AND m.send_at > $5) THEN 'capped'
            ELSE '' END AS skip
  FROM cand
 CROSS JOIN LATERAL (SELECT c.id, c.chat_id, c.language, c.first_name, c.joined_store_id, c.marketing,
                            c.contact_from, c.contact_to
                       FROM customers c
                      WHERE c.id = cand.customer_id AND c.joined_at IS NOT NULL AND c.joined_at <= $9::timestamptz
                        AND c.erased_at IS NULL AND c.unreachable_at IS NULL AND c.chat_id IS NOT NULL
                      LIMIT 1) c
 CROSS JOIN LATERAL (SELECT k.id, k.balance FROM cards k WHERE k.customer_id = c.id LIMIT 1) k
  LEFT JOIN stores s ON s.id = c.joined_store_id
 WHERE NOT EXISTS (SELECT 1 FROM nudges n WHERE n.rule = $1 AND n.customer_id = c.id AND n.occurrence = cand.occ))
SELECT * FROM due WHERE $7 OR skip IN ('', 'capped', 'done') ORDER BY customer_id LIMIT $8`

// lastOffer is the offer type the customer last converted on (a sent
// nudge's, through nudges_customer), for a rule that picks the offer they
// respond to; other rules read an empty text.
const lastOffer = `coalesce((SELECT o.offer FROM nudges o WHERE o.customer_id = c.id AND o.outcome = 'sent'
                    AND o.converted_at IS NOT NULL AND o.offer <> ''
                  ORDER BY o.converted_at DESC, o.id DESC LIMIT 1), '')`

// Each kind's candidates. Purchases are walked by time among the live
// ones (purchases_live_time, which holds the card and the customer, so
// the walk reads no table row), and each card met is asked once about
// its other purchases (purchases_card_live); customers by joining date
// (customers_joined), lots by expiry (point_lots_expiring), birthdays by
// month and day (facts_month_day), holidays by the stores whose local
// day it is. docs/performance.md has the plans.
const (
	// $10 first purchase at or before, $11 after, $12 the categories the
	// rule has a text for: a card that bought in the window and not
	// before it. Nearly every card in the window got its welcome long
	// ago: that is asked first, of the nudges' unique index, so only the
	// few without one have their purchases looked at (OFFSET 0 keeps that
	// order). The category is the first purchase's.
	nudgeWelcome = `SELECT w.customer_id, ''::text AS occ, 0::bigint AS points, NULL::timestamptz AS expires, false AS done,
       coalesce((SELECT x FROM unnest(f.categories) x WHERE x = ANY($12::text[]) LIMIT 1), '') AS category
  FROM (SELECT w.card_id, w.customer_id
          FROM (SELECT DISTINCT p.card_id, p.customer_id FROM purchases p
                 WHERE p.cancelled_at IS NULL AND p.created_at <= $10 AND p.created_at > $11) w
         WHERE NOT EXISTS (SELECT 1 FROM nudges n WHERE n.rule = $1 AND n.customer_id = w.customer_id AND n.occurrence = '')
           AND NOT EXISTS (SELECT 1 FROM purchases q WHERE q.card_id = w.card_id AND q.cancelled_at IS NULL
                              AND q.created_at <= $11)
        OFFSET 0) w
 CROSS JOIN LATERAL (SELECT q.categories FROM purchases q WHERE q.card_id = w.card_id AND q.cancelled_at IS NULL
                      ORDER BY q.created_at, q.id LIMIT 1) f`
	// $10 joined at or before, $11 after, $12 the step before ('' none:
	// it must have been sent, or been pointless), $13 pointless when the
	// profile is complete, $14 its section ('' all), $15 the number of
	// sections; $16 the other profile invitations, and $17 since when
	// one sent makes this step pointless too.
	nudgeOnboarding = `SELECT c.id AS customer_id, ''::text AS occ, 0::bigint AS points, NULL::timestamptz AS expires,
       ''::text AS category,
       ($13 AND CASE WHEN $14 <> '' THEN EXISTS (SELECT 1 FROM section_offers o
                          WHERE o.customer_id = c.id AND o.section = $14 AND o.completed_at IS NOT NULL)
                     ELSE (SELECT count(*) FROM section_offers o
                            WHERE o.customer_id = c.id AND o.completed_at IS NOT NULL) >= $15 END
        OR $13 AND EXISTS (SELECT 1 FROM nudges x WHERE x.customer_id = c.id AND x.rule = ANY($16::text[])
                              AND x.outcome = 'sent' AND x.send_at > $17)) AS done
  FROM customers c
 WHERE c.joined_at <= $10 AND c.joined_at > $11
   AND ($12 = '' OR EXISTS (SELECT 1 FROM nudges a WHERE a.rule = $12 AND a.customer_id = c.id
                               AND (a.outcome = 'sent' OR a.reason = 'done')))`
	// $10 last purchase at or before, $11 after, $13 the categories the
	// rule has a text for: a card that bought in the window and not after
	// it; the occurrence is its last purchase (OFFSET 0 keeps the planner
	// from looking up the last purchase of every card before the cheap
	// test drops most; its categories are read only when the rule has a
	// text for one).
	nudgeWinBack = `SELECT w.customer_id, l.id::text AS occ, 0::bigint AS points, NULL::timestamptz AS expires, false AS done,
       CASE WHEN cardinality($13::text[]) = 0 THEN ''
            ELSE coalesce((SELECT x FROM purchases f, unnest(f.categories) x WHERE f.id = l.id AND x = ANY($13::text[]) LIMIT 1), '')
       END AS category
  FROM (SELECT w.card_id, w.customer_id
          FROM (SELECT DISTINCT p.card_id, p.customer_id FROM purchases p
                 WHERE p.cancelled_at IS NULL AND p.created_at <= $10 AND p.created_at > $11) w
         WHERE NOT EXISTS (SELECT 1 FROM purchases q WHERE q.card_id = w.card_id AND q.cancelled_at IS NULL
                              AND q.created_at > $10)
        OFFSET 0) w
 CROSS JOIN LATERAL (SELECT q.id FROM purchases q WHERE q.card_id = w.card_id AND q.cancelled_at IS NULL
                      ORDER BY q.created_at DESC, q.id DESC LIMIT 1) l
 WHERE $12 = ''`
	// A later step ($12 the step before) starts from that step's sent
	// nudges instead, a fortnight's, not from a week of purchases: the
	// step before, due some days after the purchase it names and recorded
	// within its window, was recorded between $14 and $15 for a purchase
	// in this window (nudges_rule_due; a day of slack either side for
	// clocks and calendars). The purchase must still be the card's last.
	nudgeWinBackAfter = `SELECT p.customer_id, p.id::text AS occ, 0::bigint AS points, NULL::timestamptz AS expires, false AS done,
       coalesce((SELECT x FROM unnest(p.categories) x WHERE x = ANY($13::text[]) LIMIT 1), '') AS category
  FROM nudges a
  JOIN purchases p ON p.id = CASE WHEN a.occurrence ~ '^[0-9]{1,18}$' THEN a.occurrence::bigint END
 WHERE a.rule = $12 AND a.due_at > $14 AND a.due_at <= $15 AND a.outcome = 'sent'
   AND p.cancelled_at IS NULL AND p.created_at <= $10 AND p.created_at > $11
   AND NOT EXISTS (SELECT 1 FROM purchases q WHERE q.card_id = p.card_id AND q.cancelled_at IS NULL
                      AND (q.created_at > p.created_at OR (q.created_at = p.created_at AND q.id > p.id)))`
	// $10 expiring after, $11 at or before. A lot whose whole life is
	// shorter than the notice (a week's birthday gift) needs no reminder:
	// its own message said when it ends. A nudge's gift lives from the
	// nudge's sending (its ledger key "nudge:<id>"), which the quiet
	// hours or the customer's window may put hours after the lot.
	nudgeExpiring = `SELECT k.customer_id, to_char(min(l.expires_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS occ,
       sum(l.remaining)::bigint AS points, min(l.expires_at) AS expires, false AS done, ''::text AS category
  FROM point_lots l JOIN cards k ON k.id = l.card_id
 WHERE l.remaining > 0 AND l.expires_at > $10 AND l.expires_at <= $11
   AND l.expires_at - greatest(l.created_at, (SELECT n.send_at FROM ledger g
          JOIN nudges n ON n.id = CASE WHEN g.idempotency_key ~ '^nudge:[0-9]{1,18}$' THEN substr(g.idempotency_key, 7)::bigint END
         WHERE g.id = l.ledger_id)) > $11 - $10 + interval '1 day'
 GROUP BY k.customer_id`
	// $10 joined (and reminded last) at or before, $11 joined after, $12
	// at most this many reminders, $13 the other profile invitations: one
	// sent after $10 puts the reminder off. The open section is asked
	// first, of the sections' covering index (OFFSET 0 keeps that order),
	// so only members with one have their earlier reminders counted.
	nudgeProfile = `SELECT c.id AS customer_id, (coalesce(prev.n, 0) + 1)::text AS occ, 0::bigint AS points, NULL::timestamptz AS expires, false AS done,
       ''::text AS category
  FROM (SELECT c.id FROM customers c
         WHERE c.joined_at <= $10 AND c.joined_at > $11
           AND EXISTS (SELECT 1 FROM section_offers o WHERE o.customer_id = c.id AND o.completed_at IS NULL)
        OFFSET 0) c
  LEFT JOIN LATERAL (SELECT count(*) AS n, max(x.due_at) AS last FROM nudges x WHERE x.rule = $1 AND x.customer_id = c.id) prev ON true
 WHERE coalesce(prev.n, 0) < $12 AND (prev.last IS NULL OR prev.last <= $10)
   AND NOT EXISTS (SELECT 1 FROM nudges x WHERE x.customer_id = c.id AND x.rule = ANY($13::text[])
                      AND x.outcome = 'sent' AND x.send_at > $10)`
	// $10 the fact, $11 its month-days that may be due, $12 send time
	// (minutes), $13 window (days). The customer's local day and time
	// by their store's zone; 29 February is 1 March in other years; not
	// in the year of birth (a date typed as today's is no birthday, as a
	// child's is not greeted on the day it was born). The day is tried in
	// this year and the last, so a window that began on 31 December goes
	// on in January.
	nudgeBirthday = `SELECT f.customer_id, to_char(d.due, 'YYYY') AS occ, 0::bigint AS points, NULL::timestamptz AS expires, false AS done,
       ''::text AS category
  FROM facts f
  JOIN customers c ON c.id = f.customer_id
  LEFT JOIN stores s ON s.id = c.joined_store_id
 CROSS JOIN LATERAL (SELECT $9::timestamptz AT TIME ZONE coalesce(s.timezone, @zone) AS local) l
 CROSS JOIN LATERAL (SELECT make_date(extract(year FROM l.local)::int - y.back, 1, 1)
        + (substr(f.value, 6, 2)::int - 1) * interval '1 month' + (substr(f.value, 9, 2)::int - 1) * interval '1 day'
        + $12 * interval '1 minute' AS due FROM (VALUES (0), (1)) y(back)) d
 WHERE f.name = $10 AND substr(f.value, 6, 5) = ANY($11) AND f.value ~ '^\d{4}-\d{2}-\d{2}$'
   AND left(f.value, 4) < to_char(d.due, 'YYYY')
   AND l.local >= d.due AND l.local < d.due + $13 * interval '1 day'`
	// $10 the date "MM-DD", $11 send time (minutes), $12 window (days).
	// The day is tried in this year and the last (a window from 31
	// December goes on in January; 29 February is 1 March in other
	// years). The stores whose local day and time it is, then their customers
	// (store 0: those with none, in the first store's zone). On the day
	// most members are due: walked in id order, the batch is found in the
	// first few hundred, not after sorting them all.
	nudgeHoliday = `WITH h AS (
SELECT s.id AS store_id, to_char(d.due, 'YYYY') AS occ
  FROM (SELECT id, timezone FROM stores
        UNION ALL
        SELECT 0, @zone) s
 CROSS JOIN LATERAL (SELECT $9::timestamptz AT TIME ZONE s.timezone AS local) l
 CROSS JOIN LATERAL (SELECT make_date(extract(year FROM l.local)::int - y.back, 1, 1)
        + (substr($10, 1, 2)::int - 1) * interval '1 month' + (substr($10, 4, 2)::int - 1) * interval '1 day'
        + $11 * interval '1 minute' AS due FROM (VALUES (0), (1)) y(back)) d
 WHERE l.local >= d.due AND l.local < d.due + $12 * interval '1 day')
SELECT c.id AS customer_id, (SELECT h.occ FROM h WHERE h.store_id = coalesce(c.joined_store_id, 0)) AS occ,
       0::bigint AS points, NULL::timestamptz AS expires, false AS done, ''::text AS category
  FROM customers c
 WHERE c.joined_at IS NOT NULL AND c.marketing
   AND coalesce(c.joined_store_id, 0) = ANY (ARRAY(SELECT store_id FROM h))
 ORDER BY c.id`
)

// nudgeSettings are set for the transaction of a rule's query. The
// planner's cost of these queries, which read a million members' rows
// in the worst case it plans for, passes the threshold of JIT
// compilation, which then took longer (0.4–8 s) than running them. And
// the engine is a background job: parallel workers would take both cores
// from the checkouts for a query that is not waited on. The rows these
// queries probe are the hot ones, in memory: priced as random reads from
// disk (random_page_cost 4), a few thousand index probes looked dearer
// than reading a million rows whole.
var nudgeSettings = []string{`SET LOCAL jit = off`, `SET LOCAL max_parallel_workers_per_gather = 0`,
	`SET LOCAL random_page_cost = 1.1`}

// nudgeSettingsFor adds, for a holiday, that the plan must not sort: on
// the day most members are due, and the planner, which cannot know how
// many stores' day it is, sorted them all for a batch it finds in the
// first few hundred when it walks them in id order.
func nudgeSettingsFor(kind domain.NudgeKind) []string {
	if kind == domain.NudgeHoliday {
		return append(nudgeSettings[:len(nudgeSettings):len(nudgeSettings)], `SET LOCAL enable_sort = off`)
	}
	return nudgeSettings
}

// nudgeSQL is the rule's one statement and its parameters: the kind's
// candidates wrapped in nudgeDue.
func nudgeSQL(q domain.NudgeQuery) (string, []any, error) {
	r := q.Rule
	var capSince *time.Time
	if !q.CapSince.IsZero() {
		capSince = &q.CapSince
	}
	args := []any{r.ID, r.Marketing, r.Topic, q.TopicDefault, capSince, r.HoldOut, q.All, q.Limit, q.Now}
	window := time.Duration(r.Window) * 24 * time.Hour
	days := func(n int) time.Time { return q.Now.AddDate(0, 0, -n) }
	var cand string
	switch r.Kind {
	case domain.NudgeWelcome:
		cand = nudgeWelcome
		args = append(args, q.Now.Add(-r.Delay), q.Now.Add(-r.Delay-window), textCategories(r))
	case domain.NudgeOnboarding:
		cand = nudgeOnboarding
		args = append(args, days(r.Days), days(r.Days).Add(-window), r.After,
			r.Unless == domain.UnlessProfileComplete, r.Section, q.Sections, nonNil(q.ProfileRules), q.ProfileSince)
	case domain.NudgeWinBack:
		cand = nudgeWinBack
		lo, hi := days(r.Days).Add(-window), days(r.Days)
		args = append(args, hi, lo, r.After, textCategories(r))
		if r.After != "" {
			cand = nudgeWinBackAfter
			args = append(args, lo.AddDate(0, 0, q.AfterDays-1), hi.AddDate(0, 0, q.AfterDays+q.AfterWindow+1))
		}
	case domain.NudgeExpiring:
		cand = nudgeExpiring
		args = append(args, q.Now, q.Now.AddDate(0, 0, r.Days))
	case domain.NudgeProfile:
		cand = nudgeProfile
		args = append(args, days(r.Days), days(r.Days*(r.MaxTimes+1)).Add(-window), r.MaxTimes, nonNil(q.ProfileRules))
	case domain.NudgeBirthday:
		cand = nudgeBirthday
		args = append(args, r.Fact, monthDays(q.Now, r.Window), r.At, r.Window)
	case domain.NudgeHoliday:
		cand = nudgeHoliday
		args = append(args, r.Date, r.At, r.Window)
	case domain.NudgeEvent:
		cand = nudgeEvent
		args = nudgeEventArgs(q, args)
	case domain.NudgeFamily:
		cand, args = nudgeFamily, append(args, familyArgs(q)...)
	case domain.NudgeReplenish:
		cand = nudgeReplenish
		args = append(args, replenishArgs(r, q.Now)...)
	default:
		return "", nil, fmt.Errorf("nudge rule %s: unknown kind %q", r.ID, r.Kind)
	}
	if r.Kind != domain.NudgeFamily {
		cand = `SELECT k.*, '{}'::text[] AS names FROM (` + cand + `) k`
	}
	last := "''::text"
	if r.OfferChoice == domain.OfferLastConverted {
		last = lastOffer
	}
	chain := q.Chain
	if len(chain) == 0 {
		chain = []string{r.ID}
	}
	args = append(args, chain)
	declined := len(args)
	wait := ""
	if !q.WaitSince.IsZero() {
		args = append(args, q.WaitSince)
		wait = fmt.Sprintf(`
            WHEN EXISTS (SELECT 1 FROM nudges g WHERE g.customer_id = c.id AND g.outcome = 'sent' AND g.send_at > $%d)
                 THEN 'waits'`, len(args))
	}
	zone := q.Zone
	if zone == "" {
		zone = "UTC"
	}
	args = append(args, zone)
	sql := fmt.Sprintf(nudgeDue, cand, last, declined, wait)
	return strings.ReplaceAll(sql, "@zone", fmt.Sprintf("$%d::text", len(args))), args, nil
}

// ListNudgesDue runs the rule's query.
func (t *tx) ListNudgesDue(ctx context.Context, q domain.NudgeQuery) ([]domain.NudgeDue, error) {
	r := q.Rule
	sql, args, err := nudgeSQL(q)
	if err != nil {
		return nil, err
	}
	b := &pgx.Batch{}
	for _, set := range nudgeSettingsFor(r.Kind) {
		b.Queue(set)
	}
	t.tx.Defer(b) // goes out with the query, no round trip of its own
	rows, err := t.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("nudge rule %s: %w", r.ID, mapErr(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.NudgeDue, error) {
		var d domain.NudgeDue
		var chat *int64
		var expires *time.Time
		err := row.Scan(&d.CustomerID, &chat, &d.Language, &d.FirstName, &d.CardID, &d.Balance, &d.TimeZone,
			&d.Occurrence, &d.Points, &expires, &d.Names, &d.ContactFrom, &d.ContactTo, &d.Category, &d.LastOffer,
			&d.HeldOut, &d.Skip)
		d.ChatID, d.Expires = deref(chat), deref(expires)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("nudge rule %s: %w", r.ID, mapErr(err))
	}
	if r.Kind == domain.NudgeEvent {
		return out, t.addEventItems(ctx, out)
	}
	return out, nil
}

// nonNil is s, or an empty list for a NULL-free ANY.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// monthDays lists the "MM-DD" a birthday may have to be due around now in
// any time zone (a day either side, the window back), with 29 February
// when 1 March is among them.
func monthDays(now time.Time, window int) []string {
	var out []string
	for d := -1; d <= window+1; d++ {
		md := now.AddDate(0, 0, -d).Format("01-02")
		out = append(out, md)
		if md == "03-01" {
			out = append(out, "02-29")
		}
	}
	return out
}

// ReserveNudgeIDs takes ids from the nudges' sequence.
func (t *tx) ReserveNudgeIDs(ctx context.Context, n int) ([]int64, error) {
	rows, _ := t.tx.Query(ctx, `SELECT nextval('nudges_id_seq') FROM generate_series(1, $1)`, n)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reserve nudge ids: %w", mapErr(err))
	}
	return ids, nil
}

// RecordNudge writes a nudge unless its occurrence is recorded.
func (t *tx) RecordNudge(ctx context.Context, n *domain.Nudge) (bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO nudges (id, rule, customer_id, occurrence, marketing, outcome, reason,
		due_at, send_at, attribute_until, points, offer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (rule, customer_id, occurrence) DO NOTHING`,
		n.ID, n.Rule, n.CustomerID, n.Occurrence, n.Marketing, n.Outcome, n.Reason, n.DueAt, n.SendAt,
		n.AttributeUntil, n.Points, n.Offer)
	if err != nil {
		return false, fmt.Errorf("record nudge: %w", mapErr(err))
	}
	return tag.RowsAffected() == 1, nil
}

// QueueNudgeMessage queues a nudge's message, sent when the business
// clock reaches its time, with the commit.
func (t *tx) QueueNudgeMessage(ctx context.Context, nudgeID int64, m domain.OutMessage) error {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO outbox (chat_id, payload, not_before, created_at, nudge_id, payloads) VALUES ($1, $2, $3, $4, $5, $6)`,
		m.ChatID, []byte(m.Payload), m.NotBefore, t.now(), nudgeID, payloadsJSON(m.Payloads))
	t.tx.Defer(b)
	return nil
}

// attributePurchase credits the purchase to the latest nudge open at its
// time ($4); a negative amount (a cancellation, a return) takes back from
// that same nudge, and when nothing credited to it stands any more it no
// longer counts as converted.
const attributePurchase = `UPDATE nudges SET
       converted_at = CASE WHEN $3 < 0 AND revenue + $3 <= 0 THEN NULL ELSE coalesce(converted_at, $4) END,
       purchase_id = CASE WHEN $3 < 0 AND revenue + $3 <= 0 THEN NULL
                          ELSE coalesce(purchase_id, (SELECT id FROM purchases WHERE public_id = $2)) END,
       revenue = greatest(revenue + $3, 0)
 WHERE id = (SELECT id FROM nudges WHERE customer_id = $1 AND outcome <> 'skipped'
                AND send_at <= $4 AND attribute_until > $4
              ORDER BY due_at DESC, id DESC LIMIT 1)`

// AttributePurchase credits a purchase to the customer's latest open
// nudge, with the commit (after the purchase's own deferred writes).
func (t *tx) AttributePurchase(ctx context.Context, customerID int64, publicID string, amount int64, at time.Time) error {
	b := &pgx.Batch{}
	b.Queue(attributePurchase, customerID, publicID, amount, t.stamp(at))
	t.tx.Defer(b)
	return nil
}

// ClickNudge records a button tap on the customer's nudge. "Not
// interested" is recorded as declined_at, not as a click.
func (t *tx) ClickNudge(ctx context.Context, id, customerID int64, click string, at time.Time) (*domain.Nudge, error) {
	n := &domain.Nudge{ID: id, CustomerID: customerID}
	var clickedAt, declinedAt *time.Time
	err := t.tx.QueryRow(ctx, `UPDATE nudges SET clicked_at = CASE WHEN $4 = 'no' THEN clicked_at ELSE coalesce(clicked_at, $3) END,
		click = CASE WHEN click = '' THEN $4 ELSE click END,
		declined_at = CASE WHEN $4 = 'no' THEN coalesce(declined_at, $3) ELSE declined_at END
		WHERE id = $1 AND customer_id = $2
		RETURNING rule, occurrence, outcome, click, clicked_at, declined_at, points`,
		id, customerID, t.stamp(at), click).Scan(&n.Rule, &n.Occurrence, &n.Outcome, &n.Click, &clickedAt, &declinedAt, &n.Points)
	if err != nil {
		return nil, mapErr(err)
	}
	n.ClickedAt, n.DeclinedAt = deref(clickedAt), deref(declinedAt)
	return n, nil
}

// nudgeOfStore holds for a nudge (of the table nudges) to a member of
// store $2 (0: any), by the store of their activity, as kpiNudges.
const nudgeOfStore = `($2 = 0 OR (SELECT a.store_id FROM customer_activity a WHERE a.customer_id = nudges.customer_id) = $2)`

// NudgeStats sums the nudges due since from, per rule. A step skipped as
// done (the customer had done it), or a points reminder too late (the
// points would have gone first), was not due after all; a skip is the
// frequency cap's.
func (t *tx) NudgeStats(ctx context.Context, from time.Time, shopID int64) ([]domain.NudgeStat, error) {
	rows, _ := t.tx.Query(ctx, `SELECT rule, count(*) FILTER (WHERE reason NOT IN ('`+domain.SkipDone+`', '`+domain.SkipTooLate+`', '`+domain.SkipSwitchedOff+`')),
		count(*) FILTER (WHERE outcome = 'sent'), count(*) FILTER (WHERE outcome = 'held_out'),
		count(*) FILTER (WHERE reason = '`+domain.SkipCapped+`'),
		count(*) FILTER (WHERE reason IN ('`+domain.SkipOptedOut+`', '`+domain.SkipErased+`')),
		count(*) FILTER (WHERE clicked_at IS NOT NULL),
		count(*) FILTER (WHERE outcome = 'sent' AND converted_at IS NOT NULL),
		count(*) FILTER (WHERE outcome = 'held_out' AND converted_at IS NOT NULL),
		coalesce(sum(points) FILTER (WHERE outcome <> 'skipped'), 0)::bigint,
		coalesce(sum(revenue) FILTER (WHERE outcome = 'sent'), 0)::bigint,
		coalesce(sum(revenue) FILTER (WHERE outcome = 'held_out'), 0)::bigint
		FROM nudges WHERE due_at >= $1 AND `+nudgeOfStore+` GROUP BY rule ORDER BY rule`, from, shopID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.NudgeStat, error) {
		var x domain.NudgeStat
		err := r.Scan(&x.Rule, &x.Due, &x.Sent, &x.HeldOut, &x.Skipped, &x.Withdrawn, &x.Clicked, &x.ConvertedSent,
			&x.ConvertedHeldOut, &x.Points, &x.RevenueSent, &x.RevenueHeld)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("nudge stats: %w", mapErr(err))
	}
	return out, nil
}

// ListCustomerNudges lists a customer's nudges, oldest first.
func (t *tx) ListCustomerNudges(ctx context.Context, customerID int64) ([]domain.Nudge, error) {
	rows, _ := t.tx.Query(ctx, `SELECT id, rule, occurrence, marketing, outcome, reason, due_at, send_at, points,
		offer, click, clicked_at, declined_at, offer_used_at FROM nudges WHERE customer_id = $1 ORDER BY due_at, id`, customerID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Nudge, error) {
		n := domain.Nudge{CustomerID: customerID}
		var clicked, declined, used *time.Time
		err := r.Scan(&n.ID, &n.Rule, &n.Occurrence, &n.Marketing, &n.Outcome, &n.Reason, &n.DueAt, &n.SendAt,
			&n.Points, &n.Offer, &n.Click, &clicked, &declined, &used)
		n.ClickedAt, n.DeclinedAt, n.OfferUsedAt = deref(clicked), deref(declined), deref(used)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("list customer nudges: %w", mapErr(err))
	}
	return out, nil
}

// NudgeOfferStats sums the nudges with an offer due since from, per offer
// type: sent and held out, and how many of each converted.
func (t *tx) NudgeOfferStats(ctx context.Context, from time.Time, shopID int64) ([]domain.NudgeOfferStat, error) {
	rows, _ := t.tx.Query(ctx, `SELECT offer,
		count(*) FILTER (WHERE outcome = 'sent'), count(*) FILTER (WHERE outcome = 'held_out'),
		count(*) FILTER (WHERE outcome = 'sent' AND converted_at IS NOT NULL),
		count(*) FILTER (WHERE outcome = 'held_out' AND converted_at IS NOT NULL),
		count(offer_used_at)
		FROM nudges WHERE due_at >= $1 AND offer <> '' AND `+nudgeOfStore+` GROUP BY offer ORDER BY offer`, from, shopID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.NudgeOfferStat, error) {
		var x domain.NudgeOfferStat
		err := r.Scan(&x.Offer, &x.Sent, &x.HeldOut, &x.ConvertedSent, &x.ConvertedHeldOut, &x.Used)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("nudge offer stats: %w", mapErr(err))
	}
	return out, nil
}

// OpenOfferNudges lists a customer's sent nudges with a discount or a gift
// not used yet (nudges_open_offers), a page before (until, untilID).
func (t *tx) OpenOfferNudges(ctx context.Context, customerID int64, since, until time.Time, untilID int64, limit int) ([]domain.Nudge, error) {
	rows, _ := t.tx.Query(ctx, `SELECT id, rule, offer, send_at FROM nudges
		WHERE customer_id = $1 AND outcome = 'sent' AND offer IN ('discount', 'gift') AND offer_used_at IS NULL
		  AND send_at >= $2 AND (send_at, id) < ($3, $5)
		ORDER BY send_at DESC, id DESC LIMIT $4`, customerID, since, until, limit, untilID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Nudge, error) {
		n := domain.Nudge{CustomerID: customerID, Outcome: domain.NudgeSent}
		err := r.Scan(&n.ID, &n.Rule, &n.Offer, &n.SendAt)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("open offers: %w", mapErr(err))
	}
	return out, nil
}

// OfferNudge reads one open offer's nudge, as OpenOfferNudges lists them.
func (t *tx) OfferNudge(ctx context.Context, customerID, nudgeID int64, since, until time.Time) (*domain.Nudge, error) {
	n := domain.Nudge{ID: nudgeID, CustomerID: customerID, Outcome: domain.NudgeSent}
	err := t.tx.QueryRow(ctx, `SELECT rule, offer, send_at FROM nudges
		WHERE id = $1 AND customer_id = $2 AND outcome = 'sent' AND offer IN ('discount', 'gift') AND offer_used_at IS NULL
		  AND send_at >= $3 AND send_at <= $4`, nudgeID, customerID, since, until).Scan(&n.Rule, &n.Offer, &n.SendAt)
	if err != nil {
		return nil, mapErr(err)
	}
	return &n, nil
}

// UseOffer marks a nudge's offer used, once.
func (t *tx) UseOffer(ctx context.Context, nudgeID, customerID, staffID, shopID int64, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE nudges SET offer_used_at = $5, offer_used_by = $3, offer_used_store = $4
		WHERE id = $1 AND customer_id = $2 AND outcome = 'sent' AND offer IN ('discount', 'gift') AND offer_used_at IS NULL`,
		nudgeID, customerID, nullable(staffID), nullable(shopID), t.stamp(at))
	if err != nil {
		return false, fmt.Errorf("use offer: %w", mapErr(err))
	}
	return tag.RowsAffected() == 1, nil
}
