package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestConversationRoundTrip: a chat's first lock creates an empty
// conversation at the business clock's time; what SaveConversation
// writes, the next lock reads back, with the save's time; a save of an
// unchanged conversation writes nothing; chats are apart.
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

	// A handler that changed nothing writes nothing: the time stays the
	// last change's.
	clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		c, err := tx.LockConversation(ctx, 42)
		if err != nil {
			return err
		}
		return tx.SaveConversation(ctx, c)
	})
	checkTime(t, "updated_at after an unchanged save", sqlOne[time.Time](t, db, `SELECT updated_at FROM conversations WHERE chat_id = 42`), saved)

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

// TestOpenChatReadsWhoWritesAfterTheLock: OpenChat locks the conversation
// and finds the customer and the staff member the Telegram user is (none
// for a stranger), and a second handler of the chat, which waited for the
// lock, sees the customer the first one created while it held it.
func TestOpenChatReadsWhoWritesAfterTheLock(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	open := func(chat, tg int64) *domain.ChatState {
		t.Helper()
		var st *domain.ChatState
		inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
			st, err = tx.OpenChat(ctx, chat, tg, 0)
			return err
		})
		return st
	}
	checkEqual(t, "a stranger", open(50, 50), &domain.ChatState{
		Conversation: &domain.Conversation{ChatID: 50, Data: map[string]string{}, UpdatedAt: t0}})

	cust, _ := addMember(t, db, clock, 51)
	shop := addShop(t, db, "a")
	staff := addStaff(t, db, 51, domain.RoleCashier, shop.ID)
	addMember(t, db, clock, 52)
	got := open(51, 51)
	checkEqual(t, "a member who is a cashier", got.Customer, cust)
	checkEqual(t, "their staff record", got.Staff, staff)
	if got := open(53, 52); got.Customer == nil || got.Customer.TelegramID != 52 || got.Staff != nil {
		t.Errorf("a member writing from another chat: %+v", got)
	}

	// The first handler holds chat 60's conversation and creates the customer.
	first := &domain.Customer{TelegramID: 60, ChatID: 60, FirstName: "Ann", Language: "en", JoinedAt: clock.Now()}
	release := holdTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.OpenChat(ctx, 60, 60, 0); err != nil {
			return err
		}
		return tx.CreateCustomer(ctx, first)
	})
	second := make(chan *domain.ChatState, 1)
	go func() {
		var st *domain.ChatState
		err := db.Update(t.Context(), func(tx domain.Tx) (err error) {
			st, err = tx.OpenChat(t.Context(), 60, 60, 0)
			return err
		})
		if err != nil {
			t.Error(err)
		}
		second <- st
	}()
	for waited := time.Duration(0); sqlOne[int](t, db, `SELECT count(*)::int FROM pg_stat_activity
		WHERE wait_event_type = 'Lock' AND datname = current_database()`) == 0; waited += time.Millisecond {
		if waited > 10*time.Second {
			t.Fatal("the second handler of chat 60 did not wait for the first one's lock")
		}
		time.Sleep(time.Millisecond)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if st := <-second; st == nil || st.Customer == nil || st.Customer.ID != first.ID {
		t.Errorf("the second handler of chat 60 did not see the customer the first created: %+v", st)
	}
}
