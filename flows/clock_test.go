package flows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestEveryStoredTimeComesFromTheClock runs the core with the business
// clock years away from the wall clock, then reads every time column of
// every table: none may hold the database's now(). Tests and the
// playground move the clock; a row stamped by PostgreSQL would drift from
// the time the business reasons with (a ledger date, a nudge's due time).
func TestEveryStoredTimeComesFromTheClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withPresets("basic"))
	h.Clock.Advance(10 * 365 * 24 * time.Hour)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 960, "Boris")
	anna := join(t, h, 160, "Anna")
	scan(t, anna, cashier)
	cashier.Send("500").Tap("➕ Accrue +15").Tap("✅ Confirm")
	anna.Sync().Tap("📝 About you (up to +105 points)").Send("14.03.1990")
	anna.Send("/privacy")
	h.Settle()

	ctx := context.Background()
	var dbNow time.Time
	if err := h.DB.Pool().QueryRow(ctx, `SELECT now()`).Scan(&dbNow); err != nil {
		t.Fatal(err)
	}
	rows, err := h.DB.Pool().Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type LIKE 'timestamp%' ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, column string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.column); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, c := range cols {
		if wallClockColumn(c.table, c.column) {
			continue
		}
		var n, all int
		q := fmt.Sprintf(`SELECT count(*) FILTER (WHERE abs(extract(epoch FROM %[2]s - $1)) < 86400), count(%[2]s)
			FROM %[1]s`, c.table, c.column)
		if err := h.DB.Pool().QueryRow(ctx, q, dbNow).Scan(&n, &all); err != nil {
			t.Fatalf("%s.%s: %v", c.table, c.column, err)
		}
		if n > 0 {
			t.Errorf("%s.%s: %d of %d rows hold the database's time, not the business clock's", c.table, c.column, n, all)
		}
		checked += all
	}
	if checked < 20 {
		t.Fatalf("only %d stored times checked: the scenario wrote too little to prove anything", checked)
	}
}

// wallClockColumn lists the times that are about transport, not business:
// a sender's lease, a Telegram retry, when a migration ran.
func wallClockColumn(table, column string) bool {
	switch table + "." + column {
	case "outbox.claimed_until", "outbox.retry_at", "schema_migrations.applied_at":
		return true
	}
	return false
}
