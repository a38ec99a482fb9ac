package postgres

import "github.com/loyaltybot/loyaltybot/domain"

// nudgeFamily finds the children's and pets' birthdays in the current
// answers of the rule's group questions, set-based: the expression index
// answers_item_month_days (migration 0024) picks the answers with an item
// dated on one of the month-days that may be due, then each item's date
// field is checked like a customer's own birthday (local day and time by
// the store's zone, 29 February on 1 March in other years, not in the
// year of birth). One row per customer and day, with the names given;
// a year greets a customer at most as many times as their items have
// had birthdays by that day since the customer first told of that
// day, so a date changed after its greeting (to a day still to come)
// does not greet, and pay, again, even when another item's day passed
// before the customer told of it (an item added later too) or is still
// to come.
// Only a group that applies counts: each condition it hangs on is met by
// the customer's current answer (a pet's birthday after "no pet" is not).
// $10 the group question ids, $11 question → date field, $12 question →
// name field (jsonb), $13 the month-days that may be due, $14 send time
// (minutes), $15 window (days), $16 question → its conditions, each
// [question, option] (jsonb).
const nudgeFamily = `SELECT a.customer_id, to_char(d.due, 'YYYY-MM-DD') AS occ, 0::bigint AS points,
       NULL::timestamptz AS expires, false AS done, ''::text AS category,
       coalesce(array_agg(i.name ORDER BY a.question_id, i.n) FILTER (WHERE i.name <> ''), '{}') AS names
  FROM answers a
  JOIN customers c ON c.id = a.customer_id
  LEFT JOIN stores s ON s.id = c.joined_store_id
 CROSS JOIN LATERAL (
        SELECT e.n, CASE WHEN e.born ~ '^\d{4}-\d{2}-\d{2}$' THEN e.born END AS born, e.name
          FROM (SELECT x.n, x.item -> ($11::jsonb ->> a.question_id) ->> 'date' AS born,
                       coalesce(x.item -> ($12::jsonb ->> a.question_id) ->> 'text', '') AS name
                  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a.value -> 'items') = 'array'
                                                 THEN a.value -> 'items' ELSE '[]' END) WITH ORDINALITY AS x(item, n)) e) i
 CROSS JOIN LATERAL (SELECT $9::timestamptz AT TIME ZONE coalesce(s.timezone, @zone) AS local) l
 CROSS JOIN LATERAL (SELECT make_date(extract(year FROM l.local)::int - y.back, 1, 1)
        + (substr(i.born, 6, 2)::int - 1) * interval '1 month' + (substr(i.born, 9, 2)::int - 1) * interval '1 day'
        + $14 * interval '1 minute' AS due FROM (VALUES (0), (1)) y(back)) d
 WHERE a.superseded_at IS NULL AND a.value ? 'items' AND a.question_id = ANY($10)
   AND answer_item_month_days(a.value) && $13::text[]
   AND substr(i.born, 6, 5) = ANY($13)
   AND substr(i.born, 1, 4)::int < extract(year FROM d.due)
   AND l.local >= d.due AND l.local < d.due + $15 * interval '1 day'
   AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce($16::jsonb -> a.question_id, '[]')) k(cond)
                    WHERE NOT EXISTS (SELECT 1 FROM answers b
                                       WHERE b.customer_id = a.customer_id AND b.question_id = k.cond ->> 0
                                         AND b.superseded_at IS NULL AND jsonb_typeof(b.value -> 'choice') = 'array'
                                         AND b.value -> 'choice' ? (k.cond ->> 1)))
 GROUP BY a.customer_id, d.due, s.timezone
HAVING (SELECT count(*) FROM nudges n WHERE n.rule = $1 AND n.customer_id = a.customer_id
           AND left(n.occurrence, 4) = to_char(d.due, 'YYYY'))
     < (SELECT count(*) FROM answers b
         CROSS JOIN LATERAL unnest(answer_item_month_days(b.value)) md
         CROSS JOIN LATERAL (SELECT make_date(extract(year FROM d.due)::int, 1, 1)
                + (substr(md, 1, 2)::int - 1) * interval '1 month' + (substr(md, 4, 2)::int - 1) * interval '1 day'
                + $14 * interval '1 minute' AS due) e
         WHERE b.customer_id = a.customer_id AND b.question_id = ANY($10) AND b.superseded_at IS NULL AND b.value ? 'items'
           AND e.due <= d.due
           AND e.due + $15 * interval '1 day' > (SELECT min(o.answered_at) FROM answers o
                  WHERE o.customer_id = b.customer_id AND o.question_id = b.question_id
                    AND md = ANY(answer_item_month_days(o.value))) AT TIME ZONE coalesce(s.timezone, @zone))`

// familyArgs are nudgeFamily's own parameters for the query.
func familyArgs(q domain.NudgeQuery) []any {
	ids := []string{}
	dates, names := map[string]string{}, map[string]string{}
	conds := map[string][][2]string{}
	for _, g := range q.Family {
		ids = append(ids, g.Question)
		dates[g.Question], names[g.Question] = g.DateField, g.NameField
		for _, c := range g.If {
			conds[g.Question] = append(conds[g.Question], [2]string{c.Question, c.Equals})
		}
	}
	r := q.Rule
	return []any{ids, dates, names, monthDays(q.Now, r.Window), r.At, r.Window, conds}
}
