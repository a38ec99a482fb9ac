package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestConversationRoundTrip: a chat's first lock creates an empty
// conversation at the business clock's time; what SaveConversation
// writes, the next lock reads back, with the save's time; chats are apart.
func TestConversationRoundTrip(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	var fresh *domain.Conversation
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		fresh, err = tx.LockConversation(ctx, 42)
		return err
	})
	checkEqual(t, "a new chat", fresh, &domain.Conversation{ChatID: 42, Data: map[string]string{}, UpdatedAt: t0})

	saved := clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		c, err := tx.LockConversation(ctx, 42)
		if err != nil {
			return err
		}
		c.Flow, c.Step = "onboarding", "phone"
		c.Data = map[string]string{"lang": "ru", "name": "Анна \"Ann\" <b>", "empty": ""}
		c.UpdatedAt = t0.AddDate(-1, 0, 0) // not the caller's to set
		return tx.SaveConversation(ctx, c)
	})
	clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.LockConversation(ctx, 42)
		checkEqual(t, "saved", got, &domain.Conversation{ChatID: 42, Flow: "onboarding", Step: "phone",
			Data: map[string]string{"lang": "ru", "name": "Анна \"Ann\" <b>", "empty": ""}, UpdatedAt: saved})
		if err != nil {
			return err
		}
		other, err := tx.LockConversation(ctx, 43)
		checkEqual(t, "another chat", other, &domain.Conversation{ChatID: 43, Data: map[string]string{}, UpdatedAt: clock.Now()})
		return err
	})

	// Leaving the flow is saved too.
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		c, err := tx.LockConversation(ctx, 42)
		if err != nil {
			return err
		}
		c.Reset()
		return tx.SaveConversation(ctx, c)
	})
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		got, err := tx.LockConversation(ctx, 42)
		checkEqual(t, "reset", got, &domain.Conversation{ChatID: 42, Data: map[string]string{"lang": "ru"}, UpdatedAt: clock.Now()})
		return err
	})
}

// TestLockConversationHoldsTheChat: the chat's row stays locked until the
// transaction ends (two quick taps are handled one after the other);
// another chat is free meanwhile.
func TestLockConversationHoldsTheChat(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := tx.LockConversation(ctx, 2)
		return err
	})
	// What a second LockConversation of the chat would wait for: the
	// insert of a new chat's row, or the lock of an existing one.
	const lock = `WITH i AS (INSERT INTO conversations (chat_id, updated_at) VALUES ($1, now()) ON CONFLICT DO NOTHING)
		SELECT 1 FROM conversations WHERE chat_id = $1 FOR UPDATE`
	for _, chat := range []int64{1, 2} { // a new chat, one seen before
		release := holdTx(t, db, func(ctx context.Context, tx domain.Tx) error {
			_, err := tx.LockConversation(ctx, chat)
			return err
		})
		if !lockedElsewhere(t, db, lock, chat) {
			t.Errorf("chat %d is not locked while its conversation is", chat)
		}
		if lockedElsewhere(t, db, lock, 3) {
			t.Errorf("locking chat %d locked chat 3", chat)
		}
		if err := release(); err != nil {
			t.Fatal(err)
		}
	}
}
