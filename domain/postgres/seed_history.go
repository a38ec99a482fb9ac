package postgres

import (
	"fmt"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// pointSteps give every card its points: the welcome lot (mostly spent
// or expired), one regular lot of what the purchases earned, which
// expires RegularExpiryDays after the last purchase (so members who
// stopped buying about a year ago have points expiring now), and a
// ledger that adds up to the balance.
func (s *seeder) pointSteps() []seedStep {
	o, u := s.o, s.u
	n := int64(o.Customers)
	return []seedStep{
		{name: "points", sql: `
CREATE TEMP TABLE seed_points ON COMMIT DROP AS
SELECT id, joined_at, last_at, earned, wb, wb_exp, wb_rem, earn_exp,
       CASE WHEN earned > 0 AND (earn_exp IS NULL OR earn_exp > $1) THEN greatest(1, floor(earned * (0.2 + 0.8 * ` + u("id", 41) + `)))::bigint
            ELSE 0 END AS earn_rem
  FROM (SELECT c.id, c.joined_at, coalesce(sp.last_at, c.joined_at) AS last_at, coalesce(sp.earned, 0) AS earned,
               $2::bigint AS wb,
               CASE WHEN $3::int > 0 THEN c.joined_at + $3 * interval '1 day' END AS wb_exp,
               CASE WHEN $2 > 0 AND ($3 = 0 OR c.joined_at + $3 * interval '1 day' > $1) AND ` + u(`c.id`, 40) + ` < 0.5
                    THEN $2::bigint ELSE 0 END AS wb_rem,
               CASE WHEN $4::int > 0 THEN sp.last_at + $4 * interval '1 day' END AS earn_exp
          FROM customers c LEFT JOIN seed_span sp ON sp.customer_id = c.id) a`,
			args: []any{o.At, o.WelcomeBonus, o.WelcomeDays, o.RegularExpiryDays}},
		// 7919 is prime and does not divide 90,000,000: a bijection, so
		// the numbers are unique and do not follow the ids.
		{name: "cards", sql: `
INSERT INTO cards (id, customer_id, number, balance, created_at)
SELECT id, id, (10000000 + (id * 7919 + $1::bigint) % 90000000)::text, wb_rem + earn_rem, joined_at FROM seed_points`,
			args: []any{o.Seed % 90_000_000}},
		{name: "ledger", sql: `
INSERT INTO ledger (id, card_id, kind, amount, reason, idempotency_key, expires_at, balance_after, created_at)
SELECT id, id, 'welcome', wb, 'seed', 'seed:w:' || id, wb_exp, wb, joined_at FROM seed_points WHERE wb > 0
UNION ALL
SELECT $1 + id, id, 'earn', earned, 'seed', 'seed:e:' || id, earn_exp, wb + earned, last_at FROM seed_points WHERE earned > 0
UNION ALL
SELECT 2 * $1 + id, id, 'redeem', wb_rem + earn_rem - wb - earned, 'seed', 'seed:r:' || id, NULL, wb_rem + earn_rem,
       last_at + interval '1 second'
  FROM seed_points WHERE wb + earned > wb_rem + earn_rem`, args: []any{n}},
		{name: "point lots", sql: `
INSERT INTO point_lots (id, card_id, ledger_id, kind, amount, remaining, expires_at, created_at)
SELECT id, id, id, 'promo', wb, wb_rem, wb_exp, joined_at FROM seed_points WHERE wb > 0
UNION ALL
SELECT $1 + id, id, $1 + id, 'regular', earned, earn_rem, earn_exp, last_at FROM seed_points WHERE earned > 0`,
			args: []any{n}},
	}
}

// profileSteps give about half the members a birthday, offer the
// questionnaire's sections (half of those completed) and record some
// members' topic choices.
func (s *seeder) profileSteps() []seedStep {
	o, u := s.o, s.u
	facts := []string{}
	for _, r := range o.Rules {
		if r.Kind == domain.NudgeBirthday && r.Fact != "" && !contains(facts, r.Fact) {
			facts = append(facts, r.Fact)
		}
	}
	if len(facts) == 0 {
		facts = []string{"birthday"}
	}
	return []seedStep{
		{name: "birthdays", sql: `
INSERT INTO facts (customer_id, name, value, updated_at)
SELECT c.id, f.name, to_char(date '1950-01-01' + floor(20800 * ` + u("c.id * 64 + f.n", 50) + `)::int, 'YYYY-MM-DD'),
       least(c.joined_at + interval '1 day', $2)
  FROM customers c, unnest($1::text[]) WITH ORDINALITY f(name, n)
 WHERE c.erased_at IS NULL AND ` + u("c.id * 64 + f.n", 51) + ` < 0.45`, args: []any{facts, o.At}},
		{name: "questionnaire offers", sql: `
INSERT INTO section_offers (customer_id, section, offered_at, completed_at)
SELECT c.id, x.section, c.joined_at + interval '1 minute',
       CASE WHEN ` + u("c.id * 64 + x.n", 53) + ` < 0.5 THEN least(c.joined_at + interval '1 day', $2) END
  FROM customers c, unnest($1::text[]) WITH ORDINALITY x(section, n)
 WHERE c.erased_at IS NULL AND ` + u("c.id * 64 + x.n", 52) + ` < 0.7`, args: []any{o.Sections, o.At}},
		{name: "topic choices", sql: `
INSERT INTO topic_subscriptions (customer_id, topic, subscribed, changed_at)
SELECT c.id, t.topic, ` + u("c.id * 64 + t.n", 55) + ` < 0.5, least(c.joined_at + interval '2 days', $2)
  FROM customers c, unnest($1::text[]) WITH ORDINALITY t(topic, n)
 WHERE c.marketing AND ` + u("c.id * 64 + t.n", 54) + ` < 0.2`, args: []any{o.Topics, o.At}},
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// nudgeHistory is one INSERT of the nudges the engine would have recorded
// had it run until $1 (a day before At): welcome, the onboarding chain,
// win-back and the profile reminders, held out by the engine's own hash,
// a chain step only after a sent step before it. Birthday, holiday and
// expiry nudges depend on the day and are left to the run. Rows go in
// the order of the (rule, customer, occurrence) key, whose unique index
// then grows at its end instead of taking millions of random inserts.
func (s *seeder) nudgeHistory() string {
	var parts []string
	rules := map[string]domain.NudgeRule{}
	for _, r := range s.o.Rules {
		rules[r.ID] = r
	}
	held := func(r domain.NudgeRule, cust, occ string) string {
		return fmt.Sprintf("(abs(hashtextextended('%s:' || %s || ':' || %s, 0)) %% 100 < %d)", r.ID, cust, occ, r.HoldOut)
	}
	// chain: every step before r was sent (not held out).
	chain := func(r domain.NudgeRule, cust, occ string) string {
		cond := "true"
		for seen := map[string]bool{}; r.After != "" && !seen[r.After]; {
			seen[r.After] = true
			prev, ok := rules[r.After]
			if !ok {
				break
			}
			cond += " AND NOT " + held(prev, cust, occ)
			r = prev
		}
		return cond
	}
	for _, r := range s.o.Rules {
		if !r.Enabled {
			continue
		}
		sel := func(cust, occ, due, from, where string) string {
			return fmt.Sprintf(`SELECT '%s'::text AS rule, %s AS customer_id, %s AS occ, %t AS marketing, %s AS held, %s AS due, %d AS attr
  FROM %s WHERE %s <= $1 AND %s AND %s`, r.ID, cust, occ, r.Marketing, held(r, cust, occ), due, r.AttributionDays,
				from, due, chain(r, cust, occ), where)
		}
		days := fmt.Sprintf("interval '%d days'", r.Days)
		switch r.Kind {
		case domain.NudgeWelcome:
			parts = append(parts, sel(`sp.customer_id`, "''::text", fmt.Sprintf("sp.first_at + interval '%d seconds'", int(r.Delay.Seconds())),
				"seed_span sp", "true"))
		case domain.NudgeOnboarding:
			parts = append(parts, sel(`c.id`, "''::text", "c.joined_at + "+days, "customers c", "true"))
		case domain.NudgeWinBack:
			parts = append(parts, sel(`sp.customer_id`, "sp.last_id::text", "sp.last_at + "+days,
				"seed_span sp JOIN customers c ON c.id = sp.customer_id", `c.marketing`))
		case domain.NudgeProfile:
			for k := 1; k <= r.MaxTimes; k++ {
				parts = append(parts, sel(`c.id`, fmt.Sprintf("'%d'::text", k), fmt.Sprintf("c.joined_at + interval '%d days'", r.Days*k),
					"customers c", "EXISTS (SELECT 1 FROM section_offers o WHERE o.customer_id = c.id AND o.completed_at IS NULL)"))
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return `
INSERT INTO nudges (id, rule, customer_id, occurrence, marketing, outcome, due_at, send_at, attribute_until)
SELECT row_number() OVER (ORDER BY rule, customer_id, occ), rule, customer_id, occ, marketing,
       CASE WHEN held THEN 'held_out' ELSE 'sent' END, due, due, due + attr * interval '1 day'
  FROM (` + strings.Join(parts, "\nUNION ALL\n") + `) h
 ORDER BY 1`
}
