package postgres_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// BenchmarkKPIs is the benchmark: /stats for 30 days on a shop of
// 1,000,000 customers and 10,000,000 purchases, under 2 s on 2 cores. It
// needs such a database, so it runs only when LOYALTYBOT_BENCH_DB holds
// its URL (a `loyaltybot seed` database, or one kpiSeed fills when
// LOYALTYBOT_BENCH_SEED gives a number of customers: ten purchases each,
// over two years). The report's now is the newest purchase. Against a
// server on this machine whose data directory it can read (a private
// cluster started as root or as the same user) it also reports the
// server's CPU seconds per report (server-cpu-s/op) and prints the load
// average, since the wall time on a shared machine is mostly waiting.
//
//	LOYALTYBOT_BENCH_DB=postgres:///bench?host=/tmp/pg \
//	  go test ./domain/postgres -run '^$' -bench KPIs -benchtime 5x
func BenchmarkKPIs(b *testing.B) {
	url := os.Getenv("LOYALTYBOT_BENCH_DB")
	if url == "" {
		b.Skip("LOYALTYBOT_BENCH_DB is not set: no seeded database to read")
	}
	ctx := context.Background()
	if n, _ := strconv.Atoi(os.Getenv("LOYALTYBOT_BENCH_SEED")); n > 0 {
		kpiSeed(b, url, n)
	}
	db, err := postgres.Open(ctx, url, 4)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var now time.Time
	if err := db.Pool().QueryRow(ctx, `SELECT max(created_at) FROM purchases`).Scan(&now); err != nil {
		b.Fatal(err)
	}
	var stores int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM stores`).Scan(&stores); err != nil {
		b.Fatal(err)
	}
	biz := &domain.Business{Program: domain.DefaultProgram(), Feedback: domain.DefaultFeedback(),
		Questionnaire: domain.Questionnaire{Sections: []domain.Section{{ID: "about"}, {ID: "family"}}}}
	svc := domain.NewService(biz, nil, nil, func() time.Time { return now })
	month := domain.Period{From: now.AddDate(0, 0, -30), To: now.Add(time.Second)}
	// Besides the wall time, the server's CPU time per report (all its
	// processes, parallel workers included), which the other work on a
	// shared machine does not inflate the way it inflates the wall time.
	cpu, measured := newServerCPU(ctx, db.Pool())
	if !measured {
		b.Log("the server's CPU time is not measured: not a local server whose data directory is readable")
	}
	run := func(b *testing.B, fn func(ctx context.Context, tx domain.Tx) error) {
		b.Logf("load average before: %s", loadAverage())
		var start time.Duration
		if measured {
			start, _ = cpu.now()
		}
		n := 0
		for b.Loop() {
			if err := db.Update(ctx, func(tx domain.Tx) error { return fn(ctx, tx) }); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if measured {
			b.ReportMetric(cpu.since(start).Seconds()/float64(n), "server-cpu-s/op")
		}
		b.Logf("load average after: %s", loadAverage())
	}
	b.Run("30days", func(b *testing.B) {
		run(b, func(ctx context.Context, tx domain.Tx) error {
			_, err := svc.KPIs(ctx, tx, month, 0)
			return err
		})
	})
	b.Run("30days_one_store", func(b *testing.B) {
		run(b, func(ctx context.Context, tx domain.Tx) error {
			_, err := svc.KPIs(ctx, tx, month, 1)
			return err
		})
	})
	b.Run("staff_30days", func(b *testing.B) {
		run(b, func(ctx context.Context, tx domain.Tx) error {
			_, err := svc.StaffKPIs(ctx, tx, month, 0)
			return err
		})
	})
	b.Run("cohorts", func(b *testing.B) {
		run(b, func(ctx context.Context, tx domain.Tx) error {
			_, err := svc.Cohorts(ctx, tx, 0, time.UTC)
			return err
		})
	})
}

// kpiSeed fills an empty database with a shop of n customers over two
// years up to 2026-12-01: 3 stores, 30 cashiers, ten purchases per
// customer on average, spread evenly over the two years among those who had joined and
// written in time order as a shop writes them, a rating on one purchase
// in twenty, a nudge per customer, profile sections, welcome bonuses. It
// writes with the triggers off (session_replication_role) and fills
// customer_activity as the migrations' backfill does, so a million
// customers take minutes, not hours.
func kpiSeed(b *testing.B, url string, n int) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, 2)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var have int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&have); err != nil || have > 0 {
		b.Logf("seed: %d customers there already (%v): not seeding", have, err)
		return
	}
	// One connection: the triggers are off for this session only.
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	start := time.Now()
	// The purchases' secondary indexes are built once at the end rather
	// than grown row by row (an hour for ten million rows, here).
	rows, _ := conn.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes
		WHERE tablename IN ('purchases', 'feedback', 'nudges')
		  AND indexname NOT IN (SELECT conname FROM pg_constraint)`)
	type index struct{ name, def string }
	idx, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var i index
		return i, r.Scan(&i.name, &i.def)
	})
	if err != nil {
		b.Fatal(err)
	}
	steps := []string{}
	for _, i := range idx {
		steps = append(steps, `DROP INDEX `+i.name)
	}
	steps = append(steps, kpiSeedSQL[:len(kpiSeedSQL)-1]...)
	for _, i := range idx {
		steps = append(steps, i.def)
	}
	steps = append(steps, kpiSeedSQL[len(kpiSeedSQL)-1])
	for _, sql := range steps {
		t := time.Now()
		var args []any
		if strings.Contains(sql, "$1") {
			args = append(args, n)
		}
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			b.Fatalf("seed: %v\n%s", err, sql)
		}
		b.Logf("seed step %s: %s", time.Since(t).Round(time.Millisecond), firstLine(sql))
	}
	b.Logf("seeded %d customers in %s", n, time.Since(start).Round(time.Second))
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

// kpiSeedSQL writes the benchmark shop; $1 is the number of customers.
var kpiSeedSQL = []string{
	`INSERT INTO stores (code, name, timezone, created_at)
	 SELECT 's' || i, 'Store ' || i, 'Europe/Moscow', '2024-01-01' FROM generate_series(1, 3) i`,
	`INSERT INTO staff (telegram_id, chat_id, first_name, role, store_id, created_at)
	 SELECT 5000000 + i, 5000000 + i, 'Cashier ' || i, 'cashier', 1 + i % 3, '2024-01-01'
	   FROM generate_series(1, 30) i`,
	`SET session_replication_role = replica`,
	`INSERT INTO customers (telegram_id, chat_id, first_name, phone, language, joined_store_id, joined_at,
	        marketing, unreachable_at, created_at, signed_up_by)
	 SELECT i, i, 'C' || i, '+7900' || lpad(i::text, 7, '0'), 'ru', 1 + i % 3, j, i % 3 = 0,
	        CASE WHEN i % 17 = 0 THEN j + interval '30 days' END, j, CASE WHEN i % 5 < 2 THEN 1 + i % 30 END
	   FROM generate_series(1, $1) i,
	        LATERAL (SELECT timestamptz '2024-12-01' + (i::float8 / $1) * interval '730 days' AS j) x`,
	`INSERT INTO cards (customer_id, number, balance, created_at)
	 SELECT id, (10000000 + id)::text, (id * 7919) % 500, joined_at FROM customers`,
	`INSERT INTO ledger (card_id, kind, amount, idempotency_key, balance_after, created_at)
	 SELECT id, 'welcome', 100, 'welcome:' || id, 100, created_at FROM cards`,
	`INSERT INTO purchases (public_id, card_id, customer_id, store_id, staff_id, source, idempotency_key, amount,
	        currency, points_earned, points_redeemed, created_at, cancelled_at)
	 SELECT 'p_' || g, c.id, c.id, 1 + g % 3, 1 + g % 30, 'bot', 'k' || g, 10000 + (g * 7919) % 400000, 'RUB',
	        (10000 + (g * 7919) % 400000) / 3333, CASE WHEN g % 7 = 0 THEN 50 ELSE 0 END,
	        greatest(t.at, c.joined_at), CASE WHEN g % 500 = 0 THEN t.at END
	   FROM generate_series(1::bigint, 10 * $1) g
	  CROSS JOIN LATERAL (SELECT timestamptz '2024-12-01' + ((g * 104729) % 1000003)::float8 / 1000003 * interval '730 days' AS at) t
	   JOIN customers c ON c.id = 1 + (g * 2654435761) % greatest(1, (extract(epoch FROM t.at - timestamptz '2024-12-01') / (730 * 86400) * $1)::bigint)
	  ORDER BY t.at`,
	`INSERT INTO feedback (purchase_id, customer_id, store_id, staff_id, stars, created_at, updated_at)
	 SELECT id, customer_id, store_id, staff_id, 1 + id % 5, created_at, created_at FROM purchases WHERE id % 20 = 0`,
	`INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome, due_at, send_at, attribute_until,
	        converted_at, revenue)
	 SELECT 'winback', id, '', true, CASE WHEN id % 10 = 0 THEN 'held_out' ELSE 'sent' END,
	        joined_at + interval '30 days', joined_at + interval '30 days', joined_at + interval '37 days',
	        CASE WHEN id % 4 = 0 THEN joined_at + interval '33 days' END, CASE WHEN id % 4 = 0 THEN 150000 ELSE 0 END
	   FROM customers`,
	`INSERT INTO section_offers (customer_id, section, offered_at, completed_at)
	 SELECT c.id, s, c.joined_at, CASE WHEN c.id % 3 = 0 THEN c.joined_at END
	   FROM customers c, unnest(ARRAY['about', 'family']) s WHERE c.id % 2 = 0`,
	`SET session_replication_role = DEFAULT`,
	`SELECT customer_activity_rebuild()`,
	`VACUUM ANALYZE`,
}
