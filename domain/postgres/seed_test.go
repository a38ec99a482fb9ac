package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// seedOptions is a small shop's seed: the same shape as the benchmark's
// million members.
func seedOptions(seed int64) postgres.SeedOptions {
	return postgres.SeedOptions{
		Customers: 400, Purchases: 4000, Seed: seed, At: time.Date(2027, 3, 8, 9, 0, 0, 0, time.UTC),
		Languages: []string{"ru", "ru", "en"}, Currency: "RUB", ConsentVersion: "v1", WelcomeBonus: 100,
		WelcomeDays: 30, RegularExpiryDays: 365, Topics: []string{"sales", "events"}, Sections: []string{"basic", "pets"},
		Rules: domain.DefaultNudges().Rules,
	}
}

// seedFingerprint sums up what a seed made, to compare two runs.
func seedFingerprint(t *testing.T, db *postgres.DB) string {
	t.Helper()
	var fp string
	err := db.Pool().QueryRow(t.Context(), `SELECT concat_ws('|',
		(SELECT md5(string_agg(concat_ws(',', id, telegram_id, first_name, language, joined_store_id, joined_at, marketing,
		                       unreachable_at, erased_at), ';' ORDER BY id)) FROM customers),
		(SELECT md5(string_agg(concat_ws(',', id, customer_id, store_id, amount, categories, created_at, cancelled_at), ';' ORDER BY id)) FROM purchases),
		(SELECT md5(string_agg(concat_ws(',', id, number, balance), ';' ORDER BY id)) FROM cards),
		(SELECT md5(string_agg(concat_ws(',', customer_id, name, value), ';' ORDER BY customer_id, name)) FROM facts),
		(SELECT md5(string_agg(concat_ws(',', rule, customer_id, occurrence, outcome, due_at), ';' ORDER BY id)) FROM nudges))`).Scan(&fp)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// TestSeedMakesAConsistentRepeatableShop: the generator behind the
// benchmarks makes exactly the members and purchases asked for, every
// purchase after its member joined and before the end, balances that
// match the points lots and the ledger, the promised shares (about 60 %
// with the marketing consent, about half with a birthday), a nudge
// history the engine respects, and the same data for the same seed; it
// refuses a database that has customers. Every default rule's query then
// runs on it.
func TestSeedMakesAConsistentRepeatableShop(t *testing.T) {
	ctx := t.Context()
	seeded := func(seed int64) *postgres.DB {
		db, _ := newStore(t)
		if err := db.SyncStores(ctx, []domain.StoreConfig{{Code: "a", Name: "A", TimeZone: "Europe/Moscow"},
			{Code: "b", Name: "B", TimeZone: "Asia/Yekaterinburg"}}); err != nil {
			t.Fatal(err)
		}
		if err := db.Seed(ctx, seedOptions(seed)); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := seeded(7)
	o := seedOptions(7)
	checks := []struct {
		what string
		sql  string
		want int
	}{
		{"customers", `SELECT count(*) FROM customers`, 400},
		{"cards", `SELECT count(*) FROM cards`, 400},
		{"purchases", `SELECT count(*) FROM purchases`, 4000},
		{"purchases before joining or after the end", `SELECT count(*) FROM purchases p JOIN customers c ON c.id = p.customer_id
			WHERE p.created_at < c.joined_at OR p.created_at > $1`, 0},
		{"balances unlike the lots", `SELECT count(*) FROM cards k WHERE balance <>
			(SELECT coalesce(sum(remaining), 0) FROM point_lots l WHERE l.card_id = k.id)`, 0},
		{"balances unlike the ledger", `SELECT count(*) FROM cards k WHERE balance <>
			(SELECT coalesce(sum(amount), 0) FROM ledger l WHERE l.card_id = k.id)`, 0},
		{"marketing consent without the flag", `SELECT count(*) FROM consents s JOIN customers c ON c.id = s.customer_id
			WHERE s.kind = 'marketing' AND NOT c.marketing`, 0},
		{"a chain step after a held-out step", `SELECT count(*) FROM nudges n JOIN nudges a ON a.customer_id = n.customer_id
			AND a.rule = 'onboarding_tips' AND a.outcome = 'held_out' WHERE n.rule = 'onboarding_profile'`, 0},
		{"nudges due after the history's end", `SELECT count(*) FROM nudges WHERE due_at > $1::timestamptz - interval '1 day'`, 0},
		{"members' rows for /stats", `SELECT count(*) FROM customer_activity`, 400},
	}
	for _, c := range checks {
		var n int
		args := []any{}
		if strings.Contains(c.sql, "$1") {
			args = append(args, o.At)
		}
		if err := db.Pool().QueryRow(ctx, c.sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != c.want {
			t.Errorf("%s: %d, want %d", c.what, n, c.want)
		}
	}
	shares := []struct {
		what     string
		sql      string
		min, max int
	}{
		{"marketing consent %", `SELECT 100 * count(*) FILTER (WHERE marketing) / count(*) FROM customers WHERE erased_at IS NULL`, 50, 70},
		{"birthday %", `SELECT 100 * count(*) / 400 FROM facts WHERE name = 'birthday'`, 35, 55},
		{"the busiest member's share of purchases ‰", `SELECT 1000 * max(n) / 4000 FROM (SELECT count(*) n FROM purchases GROUP BY customer_id) x`, 5, 200},
		{"members with purchases %", `SELECT 100 * count(DISTINCT customer_id) / 400 FROM purchases`, 50, 100},
		{"nudges recorded", `SELECT count(*) FROM nudges`, 400, 4000},
	}
	for _, s := range shares {
		var n int
		if err := db.Pool().QueryRow(ctx, s.sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		if n < s.min || n > s.max {
			t.Errorf("%s: %d, want %d..%d", s.what, n, s.min, s.max)
		}
	}
	if n := activityDrift(t, db); n != 0 {
		t.Errorf("%d members' rows for /stats differ from the seeded data", n)
	}
	if a, b := seedFingerprint(t, db), seedFingerprint(t, seeded(7)); a != b {
		t.Errorf("the same seed made different data:\n%s\n%s", a, b)
	}
	if err := db.Seed(ctx, o); !errors.Is(err, postgres.ErrNotEmpty) {
		t.Errorf("seeding a shop with customers: %v, want ErrNotEmpty", err)
	}
	nudges := domain.DefaultNudges()
	svc := domain.NewService(&domain.Business{Nudges: nudges, Stores: []domain.StoreConfig{{Code: "a", TimeZone: "Europe/Moscow"}}},
		nil, nil, func() time.Time { return o.At })
	for _, r := range nudges.ByPriority() {
		err := db.Update(ctx, func(tx domain.Tx) error {
			_, err := tx.ListNudgesDue(ctx, svc.NudgeQuery(r, o.At))
			return err
		})
		if err != nil {
			t.Errorf("rule %s on seeded data: %v", r.ID, err)
		}
	}
	if _, err := db.ExplainNudgeRule(context.Background(), svc.NudgeQuery(nudges.Rules[0], o.At), true); err != nil {
		t.Errorf("explain: %v", err)
	}
}
