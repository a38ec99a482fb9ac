package postgres_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestFamilyBirthdayQueryUsesTheIndex: among 20,000 customers with
// children of every birthday, the family birthday rule picks the answers
// dated today through answers_item_month_days instead of unpacking every
// answer, and finds exactly the customers whose child has a birthday
// today, greeting twins together.
func TestFamilyBirthdayQueryUsesTheIndex(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := t.Context()
	mustExec := execer(t, pool)
	now := time.Date(2026, 11, 23, 7, 30, 0, 0, time.UTC) // 10:30 in Moscow
	mustExec(`INSERT INTO stores (code, name, timezone, created_at) VALUES ('a', 'A', 'Europe/Moscow', $1)`, now)
	mustExec(`INSERT INTO customers (telegram_id, chat_id, first_name, joined_at, marketing, created_at)
		SELECT i, i, 'C' || i, $1, true, $1 FROM generate_series(1, 20000) i`, now.AddDate(-1, 0, 0))
	mustExec(`INSERT INTO cards (customer_id, number, created_at) SELECT id, (10000000 + id)::text, $1 FROM customers`, now)
	// Customer i has a child born on day i % 365 after 1 January 2015
	// (twins when i is even), and an answer to another question.
	mustExec(`INSERT INTO answers (customer_id, question_id, value, answered_at)
		SELECT c.id, 'children', jsonb_build_object('items', jsonb_agg(jsonb_build_object(
		         'name', jsonb_build_object('text', 'Kid' || c.id || '-' || k),
		         'birthday', jsonb_build_object('date', to_char(date '2015-01-01' + (c.id % 365)::int, 'YYYY-MM-DD'))))),
		       $1
		  FROM customers c CROSS JOIN LATERAL generate_series(1, CASE WHEN c.id % 2 = 0 THEN 2 ELSE 1 END) k
		 GROUP BY c.id`, now)
	mustExec(`INSERT INTO answers (customer_id, question_id, value, answered_at)
		SELECT id, 'city', '{"text": "Moscow"}', $1 FROM customers`, now)
	mustExec(`ANALYZE`)

	r := domain.DefaultNudges()
	rule, _ := r.Rule("child_birthday")
	rule.HoldOut = 0
	q := domain.NudgeQuery{Rule: *rule, Now: now, Limit: 1000, Zone: "Europe/Moscow",
		Family: []domain.FamilyGroup{{Question: "children", DateField: "birthday", NameField: "name"}}}
	sql, args, err := postgres.NudgeSQL(q)
	if err != nil {
		t.Fatal(err)
	}
	var plan json.RawMessage
	if err := pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(plan), "answers_item_month_days") {
		t.Errorf("the family birthday query does not use answers_item_month_days:\n%s", plan)
	}

	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(vals[0], " ", vals[7], " ", vals[10]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// 23 November is 326 days after 1 January: customers 326, 691, …
	var want []string
	for id := 326; id <= 20000; id += 365 {
		names := fmt.Sprintf("[Kid%d-1]", id)
		if id%2 == 0 {
			names = fmt.Sprintf("[Kid%d-1 Kid%d-2]", id, id)
		}
		want = append(want, fmt.Sprint(id, " 2026-11-23 ", names))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("due:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
