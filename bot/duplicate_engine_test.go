package bot_test

import (
	"context"
	"sync"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/flows"
)

// TestSameUpdateHandledTwiceAtOnceCountsOnce: two handlers take the same
// stored update at the same time (a webhook redelivery reaching another
// replica, a replay at start): the update is claimed only when its
// handling commits, so the second waits on the chat's conversation, finds
// the update handled when it tries to finish it, and rolls back: one
// consent, one set of replies, one handler reporting a duplicate.
func TestSameUpdateHandledTwiceAtOnceCountsOnce(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	ctx := context.Background()
	h.Fake.User(205, "Olga", "en")
	const updateID = 900205
	if _, err := h.DB.SaveUpdate(ctx, updateID, 205, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	// Hold the chat's conversation so both handlers queue on it.
	tx, err := h.DB.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO conversations (chat_id, updated_at) VALUES (205, now())`); err != nil {
		t.Fatal(err)
	}
	in := flows.Input{UpdateID: updateID, ChatID: 205, User: flows.User{ID: 205, FirstName: "Olga", LanguageCode: "en"},
		Kind: flows.InputCommand, Text: "/start", Command: "start"}
	var (
		wg   sync.WaitGroup
		outs [2]flows.Outcome
		errs [2]error
	)
	for i := range outs {
		wg.Add(1)
		go func() { defer wg.Done(); outs[i], errs[i] = h.Engine.Handle(ctx, in) }()
	}
	eventually(t, "both handlers waiting on the conversation", func() bool {
		return count(t, h, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
			AND query LIKE '%conversations%'`) == 2
	})
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	dups, replies := 0, 0
	for i := range outs {
		if errs[i] != nil {
			t.Fatalf("handler %d: %v", i, errs[i])
		}
		if outs[i].Duplicate {
			dups++
		}
		replies += len(outs[i].Outbox)
	}
	if dups != 1 || replies == 0 {
		t.Errorf("%d of 2 handlers saw a duplicate (want 1), %d replies in all", dups, replies)
	}
	if n := count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 205`); n != replies {
		t.Errorf("%d outbox rows for the chat, want the %d replies of the one handling", n, replies)
	}
	if n := count(t, h, `SELECT count(*) FROM updates WHERE update_id = $1 AND processed_at IS NOT NULL`, updateID); n != 1 {
		t.Error("the update is not marked handled")
	}
}
