package postgres_test

import (
	"testing"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestOldNotInterestedTapsAreNoClicks: before 6c93078 a "Not interested"
// tap set clicked_at too. Upgraded, /stats nudges, the KPI report and the
// customer card must not go on counting those refusals as clicks, while
// a card tap (a click, declined later or not) stays one.
func TestOldNotInterestedTapsAreNoClicks(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := t.Context()
	card := newCard(t, pool)
	if _, err := pool.Exec(ctx, `
		INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome, due_at, send_at, attribute_until,
		                    click, clicked_at, declined_at)
		SELECT r, k.customer_id, '', true, 'sent', now(), now(), now() + interval '7 days', c, ca, da
		  FROM cards k, (VALUES ('winback', 'no', now() - interval '1 day', now() - interval '1 day'),
		                        ('birthday', 'offer', now() - interval '2 days', now() - interval '1 day'),
		                        ('tips', 'offer', now() - interval '1 day', NULL::timestamptz)) v(r, c, ca, da)
		 WHERE k.id = $1`, card); err != nil {
		t.Fatal(err)
	}
	// As a database last run before the fix: the new migration not applied yet.
	if _, err := pool.Exec(ctx, `DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT rule FROM nudges WHERE clicked_at IS NOT NULL ORDER BY rule`)
	if err != nil {
		t.Fatal(err)
	}
	var clicked []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		clicked = append(clicked, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(clicked) != 2 || clicked[0] != "birthday" || clicked[1] != "tips" {
		t.Fatalf("clicked after the upgrade: %v, want [birthday tips] (an old Not interested is no click)", clicked)
	}
	var declined int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM nudges WHERE declined_at IS NOT NULL`).Scan(&declined); err != nil || declined != 2 {
		t.Fatalf("declined after the upgrade: %d, %v, want 2", declined, err)
	}
}
