package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DemoFirstChat is the Telegram id (and chat) of the first generated demo
// customer; the ones after it follow in order. Real Telegram ids of this
// size exist, so demo data belongs in the playground's database only.
const DemoFirstChat = 900_000_001

// DemoSeed says what GenerateDemo makes.
type DemoSeed struct {
	Customers int
	Now       time.Time // the business clock: every time is before it
	Currency  string
	// Cashier is the staff id credited with the first store's purchases
	// (0: none; the other stores' purchases come from the POS API).
	Cashier int64
	// Welcome, WelcomeDays, EarnBP (basis points), PointValue,
	// WinBackDays, WinBackBonus and Consent (the wording's version) follow
	// the business config, so the rows look like the bot's own.
	Welcome, WinBackBonus    int64
	WelcomeDays, WinBackDays int
	EarnBP, PointValue       int64
	Consent                  string
}

// demoSQL makes the demo customers in a few set-based statements, each
// drawing its "random" numbers from hashes of the row (h(id, salt), so the
// same seed gives the same data): customers who joined over the last 180
// days at either store, in its opening hours (as they buy), 70 % with the marketing consent, 40 % with a
// birthday; up to six purchases each between joining and now; the
// welcome bonus, the points earned and win-back bonuses in the ledger
// with their lots; ratings for half of the visits; and the welcome and
// win-back nudges that were due, with a tenth held out and the purchases
// that followed attributed. The @names are GenerateDemo's arguments.
var demoSQL = []string{
	`CREATE OR REPLACE FUNCTION pg_temp.h(i bigint, salt text) RETURNS bigint LANGUAGE sql IMMUTABLE AS
	 $$ SELECT abs(hashtextextended(i::text || ':' || salt, 7)) $$`,
	// A time on the same local day between 08:00 and 21:00, when the
	// shops are open: nobody buys coffee at 3 a.m.
	`CREATE OR REPLACE FUNCTION pg_temp.open_hours(at timestamptz, tz text, h bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
	 $$ SELECT (date_trunc('day', at AT TIME ZONE tz) + interval '8 hours' + (h % 780) * interval '1 minute') AT TIME ZONE tz $$`,
	`INSERT INTO customers (telegram_id, chat_id, first_name, phone, phone_verified, language, joined_store_id, joined_at, marketing, created_at)
	 SELECT @first::bigint + g - 1, @first::bigint + g - 1,
	        (ARRAY['Anna','Boris','Vera','Dmitry','Elena','Farid','Galina','Igor','Kamila','Lev','Maria','Nodir',
	               'Olga','Pavel','Rustam','Sofia','Timur','Ulyana','Yulia','Zarina','Emma','James','Aziza','Oleg'])
	               [1 + pg_temp.h(g, 'name') % 24],
	        '+7955' || lpad(g::text, 7, '0'), true,
	        CASE WHEN pg_temp.h(g, 'lang') % 5 = 0 THEN 'en' ELSE 'ru' END,
	        st.id, j.at, pg_temp.h(g, 'mkt') % 10 < 7, j.at
	   FROM generate_series(1, @n::int) g
	  CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM stores) s
	  CROSS JOIN LATERAL (SELECT id, timezone FROM stores WHERE id = s.ids[1 + pg_temp.h(g, 'store') % cardinality(s.ids)]) st
	  CROSS JOIN LATERAL (SELECT pg_temp.open_hours(@now::timestamptz - (2 + pg_temp.h(g, 'joined') % 178) * interval '1 day',
	                                                st.timezone, pg_temp.h(g, 'hour')) AS at) j`,
	`CREATE TEMP TABLE demo_c ON COMMIT DROP AS
	 SELECT id, joined_at, joined_store_id, marketing FROM customers WHERE telegram_id >= @first::bigint AND telegram_id < @first::bigint + @n::int`,
	`INSERT INTO consents (customer_id, kind, version, granted, at)
	 SELECT id, 'personal_data', @consent::text, true, joined_at FROM demo_c
	 UNION ALL SELECT id, 'marketing', @consent::text, true, joined_at FROM demo_c WHERE marketing`,
	`INSERT INTO cards (customer_id, number, created_at)
	 SELECT id, (95000000 + id % 5000000)::text, joined_at FROM demo_c`,
	`INSERT INTO facts (customer_id, name, value, updated_at)
	 SELECT id, 'birthday', to_char(date '1970-01-01' + (pg_temp.h(id, 'bday') % 14000) * interval '1 day', 'YYYY-MM-DD'), joined_at
	   FROM demo_c WHERE pg_temp.h(id, 'hasbday') % 10 < 4`,
	`CREATE TEMP TABLE demo_p ON COMMIT DROP AS
	 SELECT c.id AS customer_id, k.id AS card_id, c.joined_store_id AS store_id, i,
	        -- A time later than 3 hours ago moves to the day before, at the
	        -- same hour: clamped to that bound, the last day's purchases all
	        -- stood at one minute.
	        CASE WHEN x.at > @now::timestamptz - interval '3 hours' THEN x.at - interval '1 day' ELSE x.at END AS at,
	        (150 + pg_temp.h(c.id * 10 + i, 'amount') % 2850) * 100 AS amount
	   FROM demo_c c JOIN cards k ON k.customer_id = c.id JOIN stores st ON st.id = c.joined_store_id
	  CROSS JOIN LATERAL (SELECT (pg_temp.h(c.id, 'visits') % 7)::int AS n) n
	  CROSS JOIN LATERAL generate_series(1, n.n) i
	  CROSS JOIN LATERAL (SELECT greatest(c.joined_at + interval '1 minute',
	              pg_temp.open_hours(c.joined_at + (@now::timestamptz - interval '3 hours' - c.joined_at)
	                                   * ((i - 1 + (pg_temp.h(c.id * 10 + i, 'at') % 1000) / 1000.0) / n.n)::float8,
	                                 st.timezone, pg_temp.h(c.id * 10 + i, 'minute'))) AS at) x`,
	`INSERT INTO purchases (public_id, card_id, customer_id, store_id, staff_id, source, idempotency_key, amount, currency,
	                        points_earned, points_redeemed, created_at)
	 SELECT 'p_demo' || lpad(p.customer_id::text, 8, '0') || p.i, p.card_id, p.customer_id, p.store_id,
	        CASE WHEN p.store_id = (SELECT min(id) FROM stores) THEN @cashier::bigint END,
	        CASE WHEN p.store_id = (SELECT min(id) FROM stores) AND @cashier::bigint IS NOT NULL THEN 'bot' ELSE 'pos' END,
	        'demo:' || p.customer_id || ':' || p.i, p.amount, @currency::text, p.amount * @earn::bigint / 10000 / @pv::bigint, 0, p.at
	   FROM demo_p p`,
	`CREATE TEMP TABLE demo_n ON COMMIT DROP AS
	 SELECT 'welcome'::text AS rule, f.customer_id, ''::text AS occ, false AS marketing, f.created_at + interval '1 hour' AS due, 0::bigint AS points
	   FROM purchases f WHERE f.idempotency_key LIKE 'demo:%:1' AND f.created_at + interval '1 hour' <= @now::timestamptz
	 UNION ALL
	 SELECT 'winback', p.customer_id, p.id::text, true, p.created_at + @wbdays::int * interval '1 day',
	        CASE WHEN pg_temp.h(p.customer_id, 'winback' || p.id) % 100 < 10 THEN 0 ELSE @wbbonus::bigint END
	   FROM purchases p JOIN demo_c c ON c.id = p.customer_id AND c.marketing
	  WHERE p.idempotency_key LIKE 'demo:%' AND p.created_at + @wbdays::int * interval '1 day' <= @now::timestamptz
	    AND NOT EXISTS (SELECT 1 FROM purchases q WHERE q.customer_id = p.customer_id
	                       AND q.created_at > p.created_at AND q.created_at <= p.created_at + @wbdays::int * interval '1 day')`,
	`INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome, due_at, send_at, attribute_until, points,
	                     converted_at, purchase_id, revenue)
	 SELECT n.rule, n.customer_id, n.occ, n.marketing,
	        CASE WHEN pg_temp.h(n.customer_id, n.rule || n.occ) % 100 < 10 THEN 'held_out' ELSE 'sent' END,
	        n.due, n.due, n.due + interval '7 days', n.points, q.created_at, q.id, coalesce(q.amount, 0)
	   FROM demo_n n
	   LEFT JOIN LATERAL (SELECT id, created_at, amount FROM purchases q WHERE q.customer_id = n.customer_id
	                         AND q.created_at > n.due AND q.created_at <= n.due + interval '7 days'
	                       ORDER BY q.created_at LIMIT 1) q ON true`,
	`WITH l AS (
	 INSERT INTO ledger (card_id, kind, amount, reason, idempotency_key, expires_at, created_at)
	 SELECT card_id, kind, amount, reason, key, expires, at FROM (
	   SELECT k.id AS card_id, 'welcome' AS kind, @welcome::bigint AS amount, '' AS reason, 'demo:welcome:' || c.id AS key,
	          CASE WHEN @wdays::int > 0 THEN c.joined_at + @wdays::int * interval '1 day' END AS expires, c.joined_at AS at
	     FROM demo_c c JOIN cards k ON k.customer_id = c.id WHERE @welcome::bigint > 0
	   UNION ALL
	   SELECT p.card_id, 'earn', p.points_earned, p.public_id, 'purchase:' || p.public_id || ':earn', NULL, p.created_at
	     FROM purchases p WHERE p.idempotency_key LIKE 'demo:%' AND p.points_earned > 0
	   UNION ALL
	   SELECT k.id, 'nudge', n.points, n.rule, 'nudge:' || n.id, n.send_at + interval '14 days', n.send_at
	     FROM nudges n JOIN demo_c c ON c.id = n.customer_id JOIN cards k ON k.customer_id = c.id
	    WHERE n.outcome = 'sent' AND n.points > 0) x
	 ORDER BY at
	 RETURNING id, card_id, kind, amount, expires_at, created_at)
	 INSERT INTO point_lots (card_id, ledger_id, kind, amount, remaining, expires_at, created_at)
	 SELECT card_id, id, CASE WHEN kind = 'earn' THEN 'regular' ELSE 'promo' END, amount, amount, expires_at, created_at FROM l`,
	`INSERT INTO feedback_requests (purchase_id, customer_id, due_at)
	 SELECT id, customer_id, created_at + interval '2 hours' FROM purchases WHERE idempotency_key LIKE 'demo:%'`,
	`INSERT INTO feedback (purchase_id, customer_id, store_id, staff_id, stars, created_at, updated_at)
	 SELECT id, customer_id, store_id, staff_id,
	        (ARRAY[1,2,3,3,4,4,4,4,4,4,5,5,5,5,5,5,5,5,5,5])[1 + pg_temp.h(id, 'stars') % 20],
	        created_at + interval '2 hours 10 minutes', created_at + interval '2 hours 10 minutes'
	   FROM purchases WHERE idempotency_key LIKE 'demo:%' AND pg_temp.h(id, 'rated') % 2 = 0
	    AND created_at + interval '2 hours 10 minutes' <= @now::timestamptz`,
}

// GenerateDemo adds the demo customers with their histories, in one
// transaction, unless demo customers exist already. It reports how many
// it made.
func (db *DB) GenerateDemo(ctx context.Context, d DemoSeed) (int, error) {
	if d.Customers <= 0 {
		return 0, nil
	}
	var made int
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customers WHERE telegram_id >= $1)`, DemoFirstChat).Scan(&exists); err != nil || exists {
			return err
		}
		var cashier *int64
		if d.Cashier > 0 {
			cashier = &d.Cashier
		}
		args := pgx.NamedArgs{"n": d.Customers, "now": d.Now, "first": DemoFirstChat, "consent": d.Consent,
			"currency": d.Currency, "welcome": d.Welcome, "cashier": cashier,
			"earn": d.EarnBP, "pv": d.PointValue, "wbdays": d.WinBackDays, "wbbonus": d.WinBackBonus,
			"wdays": d.WelcomeDays}
		for i, q := range demoSQL {
			if _, err := tx.Exec(ctx, q, args); err != nil {
				return fmt.Errorf("demo data, statement %d: %w", i+1, err)
			}
		}
		made = d.Customers
		return nil
	})
	return made, err
}

// DemoChat is a generated demo customer's chat, for the fake Bot API.
type DemoChat struct {
	ChatID   int64
	Name     string
	Language string
}

// DemoChats lists the demo customers' chats.
func (db *DB) DemoChats(ctx context.Context) ([]DemoChat, error) {
	rows, _ := db.pool.Query(ctx, `SELECT chat_id, first_name, language FROM customers
		WHERE telegram_id >= $1 AND chat_id IS NOT NULL ORDER BY chat_id`, DemoFirstChat)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DemoChat, error) {
		var c DemoChat
		return c, r.Scan(&c.ChatID, &c.Name, &c.Language)
	})
}
