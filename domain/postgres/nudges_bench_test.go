package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// benchDB opens the database LOYALTYBOT_BENCH_DB names (one filled by
// loyaltybot seed: 1,000,000 members, 10,000,000 purchases) and the time
// to evaluate at: LOYALTYBOT_BENCH_AT (RFC 3339) or the latest purchase.
// Without it the benchmark is skipped: it needs minutes of seeding, not
// part of go test ./...
func benchDB(b *testing.B) (*postgres.DB, time.Time) {
	b.Helper()
	url := os.Getenv("LOYALTYBOT_BENCH_DB")
	if url == "" {
		b.Skip("set LOYALTYBOT_BENCH_DB to a database filled by loyaltybot seed (see docs/performance.md)")
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, 4)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	var at time.Time
	if s := os.Getenv("LOYALTYBOT_BENCH_AT"); s != "" {
		if at, err = time.Parse(time.RFC3339, s); err != nil {
			b.Fatalf("LOYALTYBOT_BENCH_AT: %v", err)
		}
	} else if err := db.Pool().QueryRow(ctx, `SELECT max(created_at) FROM purchases`).Scan(&at); err != nil {
		b.Fatalf("the benchmark database has no purchases (run loyaltybot seed): %v", err)
	}
	return db, at
}

// BenchmarkNudgeRules times each default rule's query, one batch of the
// engine's tick, on a seeded million-member shop, and all of them in a
// row (rules/all: the figure with the 5 s target). A holiday rule is
// timed on its days only, as the engine runs it.
//
//	LOYALTYBOT_BENCH_DB=postgres://… go test ./domain/postgres/ -run '^$' -bench NudgeRules -benchtime 5x
func BenchmarkNudgeRules(b *testing.B) {
	db, at := benchDB(b)
	ctx := context.Background()
	cfg := domain.DefaultNudges()
	var sections int
	if err := db.Pool().QueryRow(ctx, `SELECT count(DISTINCT section) FROM section_offers`).Scan(&sections); err != nil {
		b.Fatal(err)
	}
	biz := &domain.Business{Nudges: cfg, Questionnaire: domain.Questionnaire{Sections: make([]domain.Section, sections)}}
	rows, err := db.Pool().Query(ctx, `SELECT code, timezone FROM stores ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var st domain.StoreConfig
		if err := rows.Scan(&st.Code, &st.TimeZone); err != nil {
			b.Fatal(err)
		}
		biz.Stores = append(biz.Stores, st) // a holiday is due by the stores' days
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	svc := domain.NewService(biz, nil, nil, func() time.Time { return at })
	rules := cfg.ByPriority()
	run := func(b *testing.B, r domain.NudgeRule) int {
		var n int
		err := db.Update(ctx, func(tx domain.Tx) error {
			dues, err := tx.ListNudgesDue(ctx, svc.NudgeQuery(r, at))
			n = len(dues)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	var due []domain.NudgeRule // the engine skips a dated rule on other days
	for _, r := range rules {
		if svc.NudgeMayBeDue(r, at) {
			due = append(due, r)
		}
	}
	rules = due
	for _, r := range rules {
		b.Run(r.ID, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = run(b, r)
			}
			b.ReportMetric(float64(n), "due")
		})
	}
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			for _, r := range rules {
				run(b, r)
			}
		}
	})
}
