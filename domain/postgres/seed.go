package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
)

// SeedOptions shape the data Seed makes: how much, dated before At, for
// the business's languages, topics, questionnaire sections and nudge rules.
type SeedOptions struct {
	Customers, Purchases int
	// Seed makes the data: the same seed, At and config give the same rows.
	Seed int64
	// At is the business time the data ends at ("now" for the benchmarks).
	At                time.Time
	Languages         []string // the first is the default language
	Currency          string
	ConsentVersion    string
	WelcomeBonus      int64
	WelcomeDays       int
	RegularExpiryDays int
	Topics            []string
	Sections          []string
	// Rules get a history as if the engine had run until a day before At
	// (welcome, onboarding, win-back and profile rules), so a benchmark
	// finds a day's backlog due and a realistic nudges table.
	Rules []domain.NudgeRule
	// Step, when set, is told each step's name and duration.
	Step func(name string, took time.Duration)
}

// ErrNotEmpty: Seed fills an empty database only.
var ErrNotEmpty = errors.New("the database has customers already: seed an empty one")

// Seed fills an empty database with a shop's history, set-based (INSERT …
// SELECT over generate_series), for the benchmarks of the nudge engine and
// the statistics: customers who joined over two years (more of them
// lately; ids in joining order, as a shop makes them), some asleep, purchases per customer heavily skewed, in time
// order as a shop writes them, with categories; cards, points (a welcome
// lot and the earned ones, which expire a year after the last purchase),
// birthdays for about half, marketing consent for about 60 %, topic
// choices, questionnaire offers, a few unreachable or erased members, and
// the nudges the engine would have recorded. Every random choice is a
// hash of the row and the seed, so the result does not depend on the plan
// or the machine. Foreign-key and ledger triggers are off while it runs
// (session_replication_role, which needs a superuser): the rows are made
// consistent here, balances included.
func (db *DB) Seed(ctx context.Context, o SeedOptions) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	var n int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return ErrNotEmpty
	}
	var stores []int64
	rows, _ := conn.Query(ctx, `SELECT id FROM stores ORDER BY id`)
	if stores, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return err
	}
	if len(stores) == 0 {
		return errors.New("seed: no stores (sync the business config first)")
	}
	s := seeder{o: o, stores: stores}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return fmt.Errorf("seed needs a superuser (to turn the triggers off while it fills): %w", err)
		}
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off; SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '1GB'`); err != nil {
			return err
		}
		// Indexes are built once at the end, by sorting, rather than
		// row by row: the plain ones (not those behind a constraint) of
		// the tables filled, dropped here and made again as they were.
		var indexes []string
		rows, _ := tx.Query(ctx, `SELECT format('DROP INDEX %I.%I', n.nspname, c.relname), pg_get_indexdef(x.indexrelid)
			  FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE x.indrelid = ANY($1::regclass[])
			   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`, seedTables)
		drops, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
			var drop, create string
			err := r.Scan(&drop, &create)
			indexes = append(indexes, create)
			return drop, err
		})
		if err != nil {
			return err
		}
		for _, d := range drops {
			if _, err := tx.Exec(ctx, d); err != nil {
				return err
			}
		}
		steps := s.steps()
		for _, def := range indexes {
			steps = append(steps, seedStep{name: "index " + indexName(def), sql: def})
		}
		for _, st := range steps {
			start := time.Now()
			if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
				return fmt.Errorf("seed %s: %w", st.name, err)
			}
			if o.Step != nil {
				o.Step(st.name, time.Since(start))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	start := time.Now()
	for _, t := range seedTables {
		if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	if o.Step != nil {
		o.Step("vacuum analyze", time.Since(start))
	}
	return nil
}

// seedTables are the tables Seed fills.
var seedTables = []string{"customers", "consents", "cards", "purchases", "ledger", "point_lots", "facts",
	"section_offers", "topic_subscriptions", "nudges", "customer_activity"}

// indexName is the name in a CREATE INDEX statement.
func indexName(def string) string {
	f := strings.Fields(def)
	for i, w := range f {
		if w == "INDEX" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return def
}

type seeder struct {
	o      SeedOptions
	stores []int64
}

type seedStep struct {
	name string
	sql  string
	args []any
}

// u is a uniform number in [0, 1) drawn from key (an SQL expression) and
// field (which choice of that row): a hash with the seed, the same
// whatever order the rows are made in.
func (s *seeder) u(key string, field int) string {
	return fmt.Sprintf("(((hashint8extended((%s)::bigint, %d) >> 11) & 9007199254740991)::float8 / 9007199254740992.0)",
		key, s.o.Seed*1000+int64(field))
}

// pick is element 1 + floor(n*u) of an SQL array literal of n texts.
func pick(arr []string, u string) string {
	q := make([]string, len(arr))
	for i, a := range arr {
		q[i] = "'" + strings.ReplaceAll(a, "'", "''") + "'"
	}
	return fmt.Sprintf("(ARRAY[%s]::text[])[1 + floor(%d * %s)::int]", strings.Join(q, ","), len(arr), u)
}

var (
	seedNames      = []string{"Anna", "Boris", "Olga", "Ivan", "Maria", "Dmitry", "Elena", "Sergey", "Natalia", "Alexey", "Irina", "Pavel", "Tatiana", "Nikolai", "Svetlana", "Mikhail", "Ekaterina", "Andrey", "Julia", "Kirill"}
	seedCategories = []string{"coffee", "coffee", "coffee", "tea", "pastry", "pastry", "beans", "milk", "syrup", "merch"}
)

func (s *seeder) steps() []seedStep {
	o := s.o
	u := s.u
	storeIDs := make([]string, len(s.stores))
	for i, id := range s.stores {
		storeIDs[i] = fmt.Sprint(id)
	}
	stores := "ARRAY[" + strings.Join(storeIDs, ",") + "]::bigint[]"
	// The first store is the busiest: a skewed pick among them.
	store := func(u string) string {
		return fmt.Sprintf("(%s)[1 + floor(%d * power(%s, 1.5))::int]", stores, len(s.stores), u)
	}
	langs := o.Languages
	lang := fmt.Sprintf("CASE WHEN %s < 0.7 THEN '%s' ELSE %s END", u("i", 6), langs[0], pick(langs, u("i", 7)))
	steps := []seedStep{{name: fmt.Sprintf("%d customers", o.Customers), sql: `
INSERT INTO customers (id, telegram_id, chat_id, first_name, phone, phone_verified, language, joined_store_id,
                       joined_at, marketing, unreachable_at, erased_at, contact_from, contact_to, created_at)
SELECT i,
       CASE WHEN erased THEN NULL ELSE 6000000000 + i END, CASE WHEN erased THEN NULL ELSE 6000000000 + i END,
       CASE WHEN erased THEN '' ELSE ` + pick(seedNames, u("i", 5)) + ` END,
       CASE WHEN erased OR ` + u("i", 8) + ` < 0.15 THEN NULL ELSE '+79' || lpad(i::text, 9, '0') END,
       NOT erased AND ` + u("i", 8) + ` >= 0.15,
       CASE WHEN erased THEN '' ELSE ` + lang + ` END,
       ` + store(u("i", 9)) + `, joined,
       NOT erased AND ` + u("i", 3) + ` < 0.6,
       CASE WHEN ` + u("i", 4) + ` BETWEEN 0.005 AND 0.035 THEN joined + ($1::timestamptz - joined) * ` + u("i", 10) + ` END,
       CASE WHEN erased THEN joined + ($1::timestamptz - joined) * ` + u("i", 10) + ` END,
       CASE WHEN NOT erased AND ` + u("i", 11) + ` < 0.05 THEN 540 + 60 * floor(4 * ` + u("i", 12) + `)::int END,
       CASE WHEN NOT erased AND ` + u("i", 11) + ` < 0.05 THEN 1080 + 60 * floor(4 * ` + u("i", 12) + `)::int END,
       joined - interval '3 minutes'
  FROM generate_series(1, $2::int) i,
       LATERAL (SELECT $1::timestamptz - interval '730 days' * (1 - sqrt((i - ` + u("i", 1) + `) / $2::float8)) AS joined,
                       ` + u("i", 4) + ` < 0.005 AS erased) j`, args: []any{o.At, o.Customers}},
		{name: "consents", sql: `
INSERT INTO consents (customer_id, kind, version, granted, at)
SELECT id, 'personal_data', $1, true, created_at FROM customers WHERE erased_at IS NULL
UNION ALL
SELECT id, 'marketing', $1, true, joined_at FROM customers WHERE marketing`, args: []any{o.ConsentVersion}},
		// The plan: who buys how much, until when. A third fell asleep at
		// some point; the weight is the time a customer was active times a
		// heavy-tailed factor, and the purchases are shared out by
		// cumulative weight, rounded, so they add up to exactly Purchases
		// (the running sum's last value rounds to it).
		{name: "plan", sql: `
CREATE TEMP TABLE seed_plan ON COMMIT DROP AS
SELECT id, joined_store_id AS store, joined_at, active_until,
       (round($1::float8 * cum / total) - round($1::float8 * (cum - w) / total))::int AS cnt,
       round($1::float8 * (cum - w) / total)::bigint AS first
  FROM (SELECT *, sum(w) OVER (ORDER BY id) AS cum, sum(w) OVER () AS total
          FROM (SELECT id, joined_store_id, joined_at, active_until,
                       (extract(epoch FROM active_until - joined_at) / 86400 + 3)
                         * power(-ln(1 - ` + u("id", 21) + `), 2) AS w
                  FROM (SELECT id, joined_store_id, joined_at,
                               CASE WHEN ` + u("id", 20) + ` < 0.33
                                    THEN joined_at + ($2::timestamptz - joined_at) * ` + u("id", 22) + `
                                    ELSE $2::timestamptz END AS active_until
                          FROM customers) a) b) c`, args: []any{o.Purchases, o.At}},
		// Purchases in time order, as a shop writes them. Most members
		// join at the register and buy at once.
		{name: fmt.Sprintf("%d purchases", o.Purchases), sql: `
INSERT INTO purchases (id, public_id, card_id, customer_id, store_id, source, receipt_id, idempotency_key,
                       amount, currency, points_earned, points_redeemed, categories, created_at, cancelled_at)
SELECT id, 'p_s' || lpad(id::text, 13, '0'), customer_id, customer_id, store_id, source,
       'r' || id, source || ':' || store_id || ':seed-' || id, amount, $1, amount * 3 / 10000, 0, categories,
       created_at, cancelled_at
  FROM (SELECT row_number() OVER (ORDER BY created_at, customer_id, k) AS id, *
          FROM (SELECT p.id AS customer_id, k,
                       CASE WHEN ` + u("p.id * 65536 + k", 30) + ` < 0.85 THEN p.store ELSE ` + store(u("p.id * 65536 + k", 31)) + ` END AS store_id,
                       CASE WHEN ` + u("p.id * 65536 + k", 32) + ` < 0.6 THEN 'pos' ELSE 'bot' END AS source,
                       least(10000 + floor(-ln(1 - ` + u("p.id * 65536 + k", 33) + `) * 45000)::bigint, 5000000) AS amount,
                       CASE WHEN ` + u("p.id * 65536 + k", 34) + ` < 0.3
                            THEN ARRAY[` + pick(seedCategories, u("p.id * 65536 + k", 35)) + `, ` + pick(seedCategories, u("p.id * 65536 + k", 36)) + `]
                            ELSE ARRAY[` + pick(seedCategories, u("p.id * 65536 + k", 35)) + `] END AS categories,
                       CASE WHEN k = 1 AND ` + u(`p.id`, 37) + ` < 0.85
                            THEN p.joined_at + interval '10 minutes' * ` + u("p.id * 65536 + k", 38) + `
                            ELSE p.joined_at + (p.active_until - p.joined_at) * ` + u("p.id * 65536 + k", 38) + ` END AS created_at,
                       CASE WHEN ` + u("p.id * 65536 + k", 39) + ` < 0.005 THEN 'x' END AS cancel
                  FROM seed_plan p, generate_series(1, p.cnt) k) a) b
 CROSS JOIN LATERAL (SELECT CASE WHEN cancel IS NOT NULL THEN created_at + interval '5 minutes' END AS cancelled_at) x`, args: []any{o.Currency}},
		// Each member's live purchases: ids follow time, so the last
		// purchase is the highest id.
		{name: "spans", sql: `
CREATE TEMP TABLE seed_span ON COMMIT DROP AS
SELECT customer_id, max(id) AS last_id, max(created_at) AS last_at, min(created_at) AS first_at,
       sum(points_earned) AS earned
  FROM purchases WHERE cancelled_at IS NULL GROUP BY customer_id`},
	}
	steps = append(steps, s.pointSteps()...)
	steps = append(steps, s.profileSteps()...)
	if h := s.nudgeHistory(); h != "" {
		steps = append(steps, seedStep{name: "nudge history", sql: h, args: []any{o.At.Add(-24 * time.Hour)}})
	}
	steps = append(steps, seedStep{name: "sequences", sql: `
SELECT setval('customers_id_seq', (SELECT max(id) FROM customers)),
       setval('cards_id_seq', (SELECT max(id) FROM cards)),
       setval('purchases_id_seq', greatest((SELECT max(id) FROM purchases), 1)),
       setval('ledger_id_seq', greatest((SELECT max(id) FROM ledger), 1)),
       setval('point_lots_id_seq', greatest((SELECT max(id) FROM point_lots), 1)),
       setval('nudges_id_seq', greatest((SELECT max(id) FROM nudges), 1))`})
	// The triggers that keep each member's row for /stats were off too.
	steps = append(steps, seedStep{name: "customer activity", sql: `SELECT customer_activity_rebuild()`})
	return steps
}
