package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestOutboxDropIsFenced: a sender whose lease lapsed (its send, or the
// database retries of its drop, outlasted it) and was taken over by
// another cannot drop the row under the new holder: neither one the new
// holder put off for a retry (it would never go), nor one it delivered.
// A drop under the caller's own lease still drops.
func TestOutboxDropIsFenced(t *testing.T) {
	db := outboxDB(t, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	ob := db.Outbox()
	ctx := t.Context()
	queue(t, db, false, msg(1, "retried"), msg(2, "delivered"), msg(3, "refused"))
	old, err := ob.Claim(ctx, 50, hold)
	if err != nil || len(old) != 3 {
		t.Fatalf("claim: %v %v", old, err)
	}
	// The first sender's leases lapse and another sender takes over.
	if _, err := db.Pool().Exec(ctx, `UPDATE outbox SET claimed_until = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	taken, err := ob.Claim(ctx, 50, hold)
	if err != nil || len(taken) != 3 {
		t.Fatalf("claim of the lapsed rows: %v %v", taken, err)
	}
	byChat := func(ms []domain.OutMessage) map[int64]domain.OutMessage {
		out := map[int64]domain.OutMessage{}
		for _, m := range ms {
			out[m.ChatID] = m
		}
		return out
	}
	was, now := byChat(old), byChat(taken)
	// The new holder: chat 1's send met a network error (retried later),
	// chat 2's went out, chat 3's Telegram refused.
	if err := ob.PutOff(ctx, now[1], -time.Second, "network"); err != nil {
		t.Fatal(err)
	}
	if err := ob.MarkSent(ctx, now[2].ID); err != nil {
		t.Fatal(err)
	}
	if err := ob.Drop(ctx, now[3], "400: message is too long"); err != nil {
		t.Fatal(err)
	}
	// The old holder's drops land late.
	for _, chat := range []int64{1, 2} {
		if err := ob.Drop(context.Background(), was[chat], "blocked: Forbidden"); err != nil {
			t.Fatal(err)
		}
	}
	if got := unsentOf(t, db, now[1].ID); len(got) != 1 {
		t.Errorf("the old holder's late drop dropped the row the new holder put off for a retry")
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE chat_id = 2 AND dropped_at IS NULL AND sent_at IS NOT NULL
		AND last_error = ''`); n != 1 {
		t.Errorf("the old holder's late drop marked the delivered row dropped")
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE chat_id = 3 AND dropped_at IS NOT NULL
		AND last_error = '400: message is too long'`); n != 1 {
		t.Errorf("the current holder's drop did not drop its row")
	}
	if got := claimed(t, ob); got[1] != "retried" {
		t.Errorf("claim after the retry: %v, want chat 1's message again", got)
	}
}
