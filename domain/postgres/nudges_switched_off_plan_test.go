package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// TestSwitchedOffWithdrawalReadsTheQueueNotTheHistory: the nudges job
// runs every minute and first takes back what a switched-off rule left
// waiting. Among 200,000 nudges sent over the months (their messages
// long gone) and a thousand waiting for the morning, that check reads
// the messages still queued and looks each one's rule up by its id: it
// does not read the whole history of nudges every minute, and takes back
// only the waiting nudge of the rule no longer enabled.
func TestSwitchedOffWithdrawalReadsTheQueueNotTheHistory(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	exec := execer(t, db.Pool())
	at := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	bulkCards(exec, 5000, "Europe/Moscow")
	exec(`INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome, due_at, send_at, attribute_until)
		SELECT (ARRAY['winback', 'welcome', 'points_expiring', 'birthday'])[1 + k % 4], c.id, k::text, true, 'sent', $1, $1, $1
		  FROM customers c CROSS JOIN generate_series(1, 40) k`, at.AddDate(0, -1, 0))
	exec(`INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome, due_at, send_at, attribute_until)
		VALUES ('old_promo', 1, '', true, 'sent', $1, $1, $1)`, at)
	// Sent, but for every 200th, which waits for the morning.
	exec(`INSERT INTO outbox (chat_id, payload, not_before, sent_at, nudge_id, created_at)
		SELECT customer_id, '{}', $1, CASE WHEN id % 200 <> 0 AND rule <> 'old_promo' THEN $1::timestamptz END, id, $1 FROM nudges`, at)
	exec(`VACUUM ANALYZE`)
	cfg := domain.DefaultNudges()
	var enabled []string
	for _, r := range cfg.ByPriority() {
		enabled = append(enabled, r.ID)
	}

	scans := scansOf(t, db, "nudges", postgres.WithdrawSwitchedOffSQL, enabled, at)
	for _, s := range scans {
		if !strings.HasSuffix(s, " nudges_pkey") {
			t.Errorf("the switched-off check reads nudges by %v, want each waiting one by nudges_pkey", scans)
			break
		}
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.WithdrawSwitchedOffNudges(ctx, enabled, at) })
	var gone []string
	if err := db.Pool().QueryRow(ctx, `SELECT coalesce(array_agg(rule), '{}') FROM nudges WHERE reason = 'switched_off'`).Scan(&gone); err != nil {
		t.Fatal(err)
	}
	if strings.Join(gone, ",") != "old_promo" {
		t.Errorf("taken back as switched off: %v, want old_promo alone", gone)
	}
	var waiting int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL`).Scan(&waiting); err != nil || waiting != 1000 {
		t.Errorf("%d messages still waiting (%v), want the 1,000 of the rules enabled", waiting, err)
	}
}
