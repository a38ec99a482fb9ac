package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

const hold = time.Minute

// outboxDB opens a test database with the business clock frozen at now.
func outboxDB(t *testing.T, now time.Time) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), pgtest.NewDB(t), 4, postgres.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// queue writes messages (chat, text) in one transaction; claim leases them
// to the caller as a handler's replies are.
func queue(t *testing.T, db *postgres.DB, claim bool, msgs ...domain.OutMessage) []int64 {
	t.Helper()
	var ids []int64
	err := db.Update(t.Context(), func(tx domain.Tx) error {
		for _, m := range msgs {
			id, err := tx.Enqueue(t.Context(), m, claim)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func msg(chat int64, text string) domain.OutMessage {
	payload, _ := json.Marshal(map[string]any{"chat_id": chat, "text": text})
	return domain.OutMessage{ChatID: chat, Payload: payload}
}

func claimed(t *testing.T, ob domain.Outbox) map[int64]string {
	t.Helper()
	ms, err := ob.Claim(t.Context(), 50, hold)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, m := range ms {
		var p struct{ Text string }
		_ = json.Unmarshal(m.Payload, &p)
		if _, dup := out[m.ChatID]; dup {
			t.Errorf("chat %d claimed twice in one batch", m.ChatID)
		}
		out[m.ChatID] = p.Text
	}
	return out
}

// TestOutboxSendsEachChatInOrder: a claim takes only the first pending
// message of each chat; a put-off message holds its chat (and only its
// chat) until its retry, and nothing queued later overtakes it.
func TestOutboxSendsEachChatInOrder(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	db := outboxDB(t, now)
	ob := db.Outbox()
	ctx := t.Context()
	queue(t, db, false, msg(1, "A1"), msg(1, "A2"), msg(2, "B1"))
	// A nudge due tomorrow does not hold back what is due today.
	later := msg(2, "B-tomorrow")
	later.NotBefore = now.Add(24 * time.Hour)
	queue(t, db, false, later, msg(2, "B2"))

	got := claimed(t, ob)
	if got[1] != "A1" || got[2] != "B1" || len(got) != 2 {
		t.Fatalf("first claim %v, want A1 and B1", got)
	}
	a1 := mustFind(t, db, "A1")
	if err := ob.PutOff(ctx, a1, 30*time.Second, "429"); err != nil {
		t.Fatal(err)
	}
	if err := ob.MarkSent(ctx, mustFind(t, db, "B1").ID); err != nil {
		t.Fatal(err)
	}
	queue(t, db, false, msg(1, "A3"))
	if got := claimed(t, ob); got[1] != "" || got[2] != "B2" {
		t.Fatalf("claim while A1 waits out a 429: %v, want B2 only", got)
	}
	if _, err := db.Pool().Exec(ctx, `UPDATE outbox SET retry_at = now() WHERE retry_at IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if got := claimed(t, ob); got[1] != "A1" {
		t.Fatalf("claim after the retry: %v, want A1 again", got)
	}
}

// TestOutboxLeaseIsFenced: a sender whose lease was taken over can neither
// send (Take), nor put off or release the row; a handler's replies wait
// for an earlier message of their chat that the background sender holds.
func TestOutboxLeaseIsFenced(t *testing.T) {
	db := outboxDB(t, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	ob := db.Outbox()
	ctx := t.Context()
	queue(t, db, false, msg(1, "purchase"))
	bg, err := ob.Claim(ctx, 50, hold)
	if err != nil || len(bg) != 1 {
		t.Fatalf("claim: %v %v", bg, err)
	}
	ids := queue(t, db, true, msg(1, "reply"))
	mine, err := ob.Get(ctx, ids)
	if err != nil || len(mine) != 1 {
		t.Fatalf("get: %v %v", mine, err)
	}
	if ok, err := ob.Take(ctx, mine[0], hold); err != nil || ok {
		t.Fatalf("Take of a reply behind a message another sender holds = %v, %v; want false", ok, err)
	}
	if err := ob.MarkSent(ctx, bg[0].ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := ob.Take(ctx, mine[0], hold); err != nil || !ok {
		t.Fatalf("Take once the earlier message is sent = %v, %v; want true", ok, err)
	}

	// The handler's lease lapses and the background sender takes over.
	if _, err := db.Pool().Exec(ctx, `UPDATE outbox SET claimed_until = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	taken, err := ob.Claim(ctx, 50, hold)
	if err != nil || len(taken) != 1 || taken[0].ID != mine[0].ID {
		t.Fatalf("claim of the lapsed reply: %v %v", taken, err)
	}
	if ok, _ := ob.Take(ctx, mine[0], hold); ok {
		t.Error("the old holder could still take the row")
	}
	if err := ob.PutOff(ctx, mine[0], time.Hour, "late 429"); err != nil {
		t.Fatal(err)
	}
	if err := ob.Release(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if ok, err := ob.Take(ctx, taken[0], hold); err != nil || !ok {
		t.Fatalf("the new holder lost the row to the old one's put-off or release: %v, %v", ok, err)
	}
	if n := count(t, db, `SELECT count(*) FROM outbox WHERE retry_at IS NOT NULL`); n != 0 {
		t.Errorf("the old holder's put-off moved the row")
	}
}

func mustFind(t *testing.T, db *postgres.DB, text string) domain.OutMessage {
	t.Helper()
	var m domain.OutMessage
	err := db.Pool().QueryRow(context.Background(), `SELECT id, chat_id, attempts FROM outbox WHERE payload->>'text' = $1`, text).
		Scan(&m.ID, &m.ChatID, &m.Attempts)
	if err != nil {
		t.Fatalf("find %s: %v", text, err)
	}
	return m
}
