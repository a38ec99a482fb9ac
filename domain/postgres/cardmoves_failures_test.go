package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestRerouteStartsTheFailureCountAfresh: a message that failed in the
// old chat (nine times, a tenth given up on) and follows the card to the
// new chat starts there with no failures behind it: the old chat's were
// no sign the new chat cannot be written to, and carried along, the new
// chat's first transient error dropped the message (maxAttempts).
// Whichever way it goes there: moved while queued, or while a sender held
// it and then put off, given back or given up on.
func TestRerouteStartsTheFailureCountAfresh(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	ob := db.Outbox()
	leased := map[int64]bool{1: false, 2: true, 3: true, 4: true}
	members := map[int64]*domain.Customer{}
	for chat, held := range leased {
		members[chat], _ = addMember(t, db, clock, chat)
		lease := "NULL"
		if held {
			lease = "now() + interval '30 seconds'"
		}
		if _, err := db.Pool().Exec(ctx, `INSERT INTO outbox (chat_id, payload, not_before, claimed_until, attempts, created_at)
			VALUES ($1, jsonb_build_object('chat_id', $1::bigint, 'text', 'for ' || $1), $2, `+lease+`, 10, $2)`,
			chat, clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for chat, c := range members {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			return tx.MoveCustomerAccount(ctx, c.ID, chat+10, chat+10)
		})
	}
	heldMsg := func(chat int64) domain.OutMessage {
		return domain.OutMessage{ID: sqlOne[int64](t, db, `SELECT id FROM outbox WHERE chat_id = $1`, chat), ChatID: chat, Attempts: 10}
	}
	for _, err := range []error{
		ob.PutOff(ctx, heldMsg(2), time.Second, "network"),
		ob.Release(ctx, []domain.OutMessage{heldMsg(3)}),
		ob.Drop(ctx, heldMsg(4), "network"), // the tenth failure: given up on
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := ob.Claim(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("claimed %d messages in the new chats, want 4", len(got))
	}
	for _, m := range got {
		if m.ChatID < 11 || m.ChatID > 14 {
			t.Errorf("message %d claimed for chat %d, want the new chat", m.ID, m.ChatID)
		}
		if m.Failures != 1 {
			t.Errorf("chat %d: the re-routed message has %d failures at its first attempt there, want 1", m.ChatID, m.Failures)
		}
	}
}
