package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sync"
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
	mine := []domain.OutMessage{{ID: ids[0], ChatID: 1}} // held at its write, no attempts yet
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

// TestEnqueue: a message left to the background sender is written with
// the transaction (not_before and created_at from the business clock when
// not given); a claimed one returns its id, is held for the writer's own
// send (Get loads it, Claim leaves it) and is counted as pending.
func TestEnqueue(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	later := t0.Add(time.Hour)
	var held int64
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for _, m := range []domain.OutMessage{
			{ChatID: 1, Payload: json.RawMessage(`{"text":"now"}`)},
			{ChatID: 2, Payload: json.RawMessage(`{"text":"later"}`), NotBefore: later},
		} {
			id, err := tx.Enqueue(ctx, m, false)
			if err != nil {
				return err
			}
			if id != 0 {
				t.Errorf("an unclaimed message got id %d, want 0", id)
			}
		}
		var err error
		held, err = tx.Enqueue(ctx, domain.OutMessage{ChatID: 3, Payload: json.RawMessage(`{"text":"mine"}`)}, true)
		return err
	})
	if held == 0 {
		t.Fatal("a claimed message got id 0")
	}
	for chat, want := range map[int64]time.Time{1: t0, 2: later, 3: t0} {
		checkTime(t, fmt.Sprint("chat ", chat, " not_before"), sqlOne[time.Time](t, db, `SELECT not_before FROM outbox WHERE chat_id = $1`, chat), want)
		checkTime(t, fmt.Sprint("chat ", chat, " created_at"), sqlOne[time.Time](t, db, `SELECT created_at FROM outbox WHERE chat_id = $1`, chat), clock.Now())
	}
	var got struct {
		chat     int64
		attempts int
		payload  []byte
		held     bool
	}
	if err := db.Pool().QueryRow(ctx, `SELECT chat_id, attempts, payload, claimed_until > now() FROM outbox
		WHERE id = $1 AND sent_at IS NULL AND dropped_at IS NULL`, held).Scan(&got.chat, &got.attempts, &got.payload, &got.held); err != nil {
		t.Fatal(err)
	}
	if got.chat != 3 || got.attempts != 0 || !got.held || !sameJSON(got.payload, []byte(`{"text":"mine"}`)) {
		t.Errorf("held row = %+v, want the pending message to chat 3, leased, no attempts", got)
	}
	claimed, err := db.Outbox().Claim(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 1 || claimed[0].ChatID != 1 {
		t.Errorf("Claim = %+v, want only the due unclaimed message to chat 1", claimed)
	}
	// The message for later is not pending until its time: a test that
	// waits for an idle bot must not wait for a feedback request due hours
	// ahead.
	if n, err := db.Outbox().Pending(ctx); n != 2 || err != nil {
		t.Errorf("Pending = %d (err %v), want 2 (the message for later not due yet)", n, err)
	}
	clock.Advance(time.Hour)
	if n, err := db.Outbox().Pending(ctx); n != 3 || err != nil {
		t.Errorf("Pending at its time = %d (err %v), want 3", n, err)
	}
	clock.Advance(-time.Hour)

	// A rolled-back transaction queues nothing.
	txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: 4, Payload: json.RawMessage(`{}`)}, false); err != nil {
			return err
		}
		return fmt.Errorf("roll back")
	})
	if n := sqlOne[int](t, db, `SELECT count(*) FROM outbox WHERE chat_id = 4`); n != 0 {
		t.Errorf("%d messages from a rolled-back transaction", n)
	}
}

// TestClaimTakesOnlyDueRows: a row is due when the business clock has
// reached its not_before and the wall clock its retry_at, and nobody
// holds it; sent and dropped rows never are. Claim counts the attempt and
// holds the row, so a second Claim skips it until the hold ends.
func TestClaimTakesOnlyDueRows(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	ob := db.Outbox()
	due := enqueue(t, db, 1, time.Time{})
	businessLater := enqueue(t, db, 2, t0.Add(time.Hour))
	wallLater := enqueue(t, db, 3, time.Time{})
	wallPast := enqueue(t, db, 4, time.Time{})
	sent := enqueue(t, db, 5, time.Time{})
	dropped := enqueue(t, db, 6, time.Time{})
	leaseOver := enqueue(t, db, 7, time.Time{})
	for _, err := range []error{
		ob.PutOff(ctx, domain.OutMessage{ID: wallLater}, time.Hour, "429"),
		ob.PutOff(ctx, domain.OutMessage{ID: wallPast}, -time.Hour, "429"),
		ob.MarkSent(ctx, sent),
		ob.Drop(ctx, domain.OutMessage{ID: dropped}, "bad request"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool().Exec(ctx, `UPDATE outbox SET claimed_until = now() - interval '1 minute', attempts = 1
		WHERE id = $1`, leaseOver); err != nil {
		t.Fatal(err)
	}

	got, err := ob.Claim(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{due, wallPast, leaseOver}; !reflect.DeepEqual(idsOf(got), want) {
		t.Fatalf("claimed %v, want %v", idsOf(got), want)
	}
	for _, m := range got {
		wantAttempts := map[int64]int{due: 1, wallPast: 1, leaseOver: 2}[m.ID]
		if m.Attempts != wantAttempts {
			t.Errorf("message %d: attempts %d, want %d", m.ID, m.Attempts, wantAttempts)
		}
		if !sameJSON(m.Payload, fmt.Appendf(nil, `{"text":"to %d"}`, m.ChatID)) {
			t.Errorf("message %d: payload %s", m.ID, m.Payload)
		}
		checkTime(t, "NotBefore", m.NotBefore, t0)
	}
	if again, err := ob.Claim(ctx, 10, time.Minute); err != nil || len(again) != 0 {
		t.Errorf("a second Claim took %v (err %v), want nothing: the rows are held", idsOf(again), err)
	}

	clock.Advance(time.Hour) // the business clock reaches not_before
	got, err = ob.Claim(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{businessLater}; !reflect.DeepEqual(idsOf(got), want) {
		t.Errorf("after the business clock moved: claimed %v, want %v (retry_at is on the wall clock)", idsOf(got), want)
	}
}

// TestClaimLimitTakesTheOldest: at most limit rows, the earliest due
// first (by not_before, then id), whatever order they were queued in.
func TestClaimLimitTakesTheOldest(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	enqueue(t, db, 1, t0)
	late := enqueue(t, db, 2, t0.Add(-time.Minute))
	early := enqueue(t, db, 3, t0.Add(-time.Hour))
	next := enqueue(t, db, 4, t0.Add(-time.Hour))
	got, err := db.Outbox().Claim(t.Context(), 3, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{late, early, next}; !reflect.DeepEqual(idsOf(got), want) {
		t.Errorf("claimed %v, want %v", idsOf(got), want)
	}
}

// TestClaimSkipsLockedRows: rows another sender is claiming right now
// are skipped, not waited for; senders claiming at once never get the
// same row, and between them get every row.
func TestClaimSkipsLockedRows(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	var all []int64
	for chat := range int64(40) {
		all = append(all, enqueue(t, db, chat, time.Time{}))
	}

	// A sender mid-claim holds the first row locked.
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM outbox WHERE id = $1 FOR UPDATE`, all[0]); err != nil {
		t.Fatal(err)
	}
	// Without SKIP LOCKED the claimers would wait for that row: the
	// deadline turns a wait into a failure instead of a hung test.
	claimCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				got, err := db.Outbox().Claim(claimCtx, 4, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait() // with the first row still locked: nobody waited for it
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range all[1:] {
		if seen[id] != 1 {
			t.Errorf("message %d claimed %d times, want once", id, seen[id])
		}
	}
	if seen[all[0]] != 0 {
		t.Errorf("the locked message was claimed")
	}
	got, err := db.Outbox().Claim(ctx, 10, time.Minute)
	if err != nil || !reflect.DeepEqual(idsOf(got), all[:1]) {
		t.Errorf("once unlocked: claimed %v (err %v), want %v", idsOf(got), err, all[:1])
	}
}

// TestHoldSaysWhetherTheReplyIsFirstInItsChat checks the flag a worker
// relies on to send its reply without renewing the lease: set when no
// message of the chat due by then is pending, its own earlier replies in
// the same transaction aside; clear when a notice written before it (by
// another transaction, or queued in the same one) still waits.
func TestHoldSaysWhetherTheReplyIsFirstInItsChat(t *testing.T) {
	db, clock := newStore(t)
	msg := func(chat int64, text string) domain.OutMessage {
		return domain.OutMessage{ChatID: chat, Payload: json.RawMessage(`{"text":"` + text + `"}`)}
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.Enqueue(ctx, msg(2, "notice before"), false); err != nil {
			return err
		}
		later := msg(3, "tomorrow")
		later.NotBefore = clock.Now().Add(24 * time.Hour)
		if _, err := tx.Enqueue(ctx, later, false); err != nil {
			return err
		}
		_, err := tx.Enqueue(ctx, msg(4, "sent already"), false)
		return err
	})
	sent, err := db.Outbox().Claim(t.Context(), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range sent {
		if m.ChatID == 4 {
			if err := db.Outbox().MarkSent(t.Context(), m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.Outbox().Release(t.Context(), sent); err != nil {
		t.Fatal(err)
	}
	held := map[string]bool{}
	ms := map[string]*domain.OutMessage{}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.Enqueue(ctx, msg(5, "notice in this transaction"), false); err != nil {
			return err
		}
		for _, c := range []struct {
			chat int64
			name string
		}{{1, "empty chat"}, {1, "second reply"}, {2, "notice pending"}, {3, "notice for tomorrow"},
			{4, "notice sent"}, {5, "notice in this transaction"}} {
			m := msg(c.chat, c.name)
			if err := tx.Hold(ctx, &m); err != nil {
				return err
			}
			ms[c.name] = &m
		}
		return nil
	})
	for name, m := range ms { // written with the commit
		if m.ID == 0 || m.Attempts != 0 {
			t.Errorf("%s: Hold = %+v, want an id and no attempts", name, *m)
		}
		held[name] = m.Held
	}
	want := map[string]bool{"empty chat": true, "second reply": true, "notice pending": false,
		"notice for tomorrow": true, "notice sent": true, "notice in this transaction": false}
	checkEqual(t, "held", held, want)
}

// TestHeldFindsATransactionsRowsByItsLease: a held row goes out with the
// COMMIT, so when the COMMIT's answer is lost its id is unknown; the bot
// finds the rows by chat and the lease the transaction shared among them,
// in order. Another transaction's rows of the chat, another chat's, and a
// row given back (the background sender's to take) are not among them.
func TestHeldFindsATransactionsRowsByItsLease(t *testing.T) {
	db, _ := newStore(t)
	ctx := t.Context()
	msg := func(chat int64, text string) *domain.OutMessage {
		return &domain.OutMessage{ChatID: chat, Payload: json.RawMessage(`{"text":"` + text + `"}`)}
	}
	first, second, otherChat, later := msg(1, "first"), msg(1, "second"), msg(2, "other chat"), msg(1, "later")
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for _, m := range []*domain.OutMessage{first, second, otherChat} {
			if err := tx.Hold(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.Hold(ctx, later) })
	if first.Lease.IsZero() || !second.Lease.Equal(first.Lease) || !otherChat.Lease.Equal(first.Lease) || later.Lease.Equal(first.Lease) {
		t.Fatalf("leases %v, %v, %v and %v: want the first three one, the last another", first.Lease, second.Lease, otherChat.Lease, later.Lease)
	}
	ids := func(lease time.Time) []int64 {
		t.Helper()
		got, err := db.Outbox().Held(ctx, 1, lease)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, m := range got {
			if !m.Lease.Equal(lease) {
				t.Errorf("row %d: lease %v, want %v", m.ID, m.Lease, lease)
			}
			out = append(out, m.ID)
		}
		return out
	}
	checkEqual(t, "held with the first lease", ids(first.Lease), []int64{first.ID, second.ID})
	checkEqual(t, "held with the later lease", ids(later.Lease), []int64{later.ID})
	if err := db.Outbox().Release(ctx, []domain.OutMessage{*second}); err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "held after the second was given back", ids(first.Lease), []int64{first.ID})
}

// TestClaimChatTakesWhatMustGoBeforeTheReply: a worker whose reply is
// behind its chat's notices leases them, in order, unless the chat's first
// message is someone else's to send (leased) or put off after a 429; what
// is not due yet, or comes after the reply, stays.
func TestClaimChatTakesWhatMustGoBeforeTheReply(t *testing.T) {
	db, clock := newStore(t)
	ctx := t.Context()
	msg := func(chat int64, text string) domain.OutMessage {
		return domain.OutMessage{ChatID: chat, Payload: json.RawMessage(`{"text":"` + text + `"}`)}
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for _, m := range []domain.OutMessage{msg(1, "A"), msg(1, "B"), msg(2, "head"), msg(2, "next"), msg(3, "put off"), msg(3, "after")} {
			if _, err := tx.Enqueue(ctx, m, false); err != nil {
				return err
			}
		}
		tomorrow := msg(4, "tomorrow")
		tomorrow.NotBefore = clock.Now().Add(24 * time.Hour)
		_, err := tx.Enqueue(ctx, tomorrow, false)
		return err
	})
	heads, err := db.Outbox().Claim(ctx, 10, time.Minute) // the heads of chats 1, 2 and 3
	if err != nil {
		t.Fatal(err)
	}
	var keep []domain.OutMessage
	for _, m := range heads {
		switch m.ChatID {
		case 3:
			if err := db.Outbox().PutOff(ctx, m, 30*time.Second, "429"); err != nil {
				t.Fatal(err)
			}
		case 1:
			keep = append(keep, m)
		}
	}
	if err := db.Outbox().Release(ctx, keep); err != nil { // chat 1's head is free again
		t.Fatal(err)
	}
	replies := map[int64]*domain.OutMessage{}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for chat := int64(1); chat <= 4; chat++ {
			m := msg(chat, "reply")
			replies[chat] = &m
			if err := tx.Hold(ctx, &m); err != nil {
				return err
			}
		}
		_, err := tx.Enqueue(ctx, msg(1, "after the reply"), false)
		return err
	})
	for chat, want := range map[int64][]string{1: {"A", "B"}, 2: nil, 3: nil, 4: nil} {
		got, err := db.Outbox().ClaimChat(ctx, chat, replies[chat].ID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range got {
			var r struct{ Text string }
			json.Unmarshal(m.Payload, &r) //nolint:errcheck // written above
			texts = append(texts, r.Text)
			if m.Attempts == 0 {
				t.Errorf("chat %d: %s claimed without a new lease (attempts 0)", chat, r.Text)
			}
		}
		checkEqual(t, fmt.Sprint("chat ", chat, " claimed"), texts, want)
	}
}

// TestClaimChatTakesAnUnbrokenRun: a worker taking its chat's earlier
// messages along leases them from the chat's first on and stops at one
// another transaction has locked, as the background sender's claim of
// the chat's first message does before it commits. Skipping that row
// alone let the worker lease the second message while the background
// sender leased the first: two senders sent one chat at once, out of
// order (seen as a flaky TestChatUnder429DoesNotDelayOthers).
func TestClaimChatTakesAnUnbrokenRun(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	notices := []int64{enqueue(t, db, 7, time.Time{}), enqueue(t, db, 7, time.Time{}), enqueue(t, db, 7, time.Time{})}
	var reply domain.OutMessage
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		reply = domain.OutMessage{ChatID: 7, Payload: json.RawMessage(`{"text":"reply"}`)}
		return tx.Hold(ctx, &reply)
	})
	// lockedWhileClaiming has another transaction hold row id locked
	// while the worker claims, and returns what the worker leased.
	lockedWhileClaiming := func(id int64) []int64 {
		t.Helper()
		tx, err := db.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck // read only
		if _, err := tx.Exec(ctx, `SELECT 1 FROM outbox WHERE id = $1 FOR UPDATE`, id); err != nil {
			t.Fatal(err)
		}
		// A wait for the lock would hang: the deadline makes it a failure.
		claimCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		got, err := db.Outbox().ClaimChat(claimCtx, 7, reply.ID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return idsOf(got)
	}
	checkEqual(t, "leased while the first notice is being claimed", lockedWhileClaiming(notices[0]), []int64{})
	first := lockedWhileClaiming(notices[1])
	checkEqual(t, "leased while the second notice is locked", first, notices[:1])
	got, err := db.Outbox().ClaimChat(ctx, 7, reply.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "leased once the first is leased and nothing locked", idsOf(got), []int64{})
	if err := db.Outbox().Release(ctx, []domain.OutMessage{{ID: notices[0], Attempts: 1}}); err != nil {
		t.Fatal(err)
	}
	if got, err = db.Outbox().ClaimChat(ctx, 7, reply.ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "leased once nothing is locked", idsOf(got), notices)
}

// TestClaimersAtOnceKeepEachChatsOrder: background senders (Claim, the
// first message of each chat) and workers taking a chat's messages along
// (ClaimChat) claim one outbox at once, each sending what it claimed in
// order and marking it sent before its next claim. Whoever claims, every
// message is sent once and each chat's in its order: a claim can only
// take a chat's next messages once the earlier ones are marked sent.
func TestClaimersAtOnceKeepEachChatsOrder(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	const chats, each = 12, 12
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		for range each {
			for chat := range int64(chats) {
				if _, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: chat, Payload: json.RawMessage(`{}`)}, false); err != nil {
					return err
				}
			}
		}
		return nil
	})
	var (
		mu   sync.Mutex
		sent = map[int64][]int64{} // chat → ids in the order sent
		n    int
	)
	send := func(ms []domain.OutMessage) error {
		for _, m := range ms {
			mu.Lock()
			sent[m.ChatID] = append(sent[m.ChatID], m.ID)
			n++
			mu.Unlock()
			if err := db.Outbox().MarkSent(ctx, m.ID); err != nil {
				return err
			}
		}
		return nil
	}
	done := func() bool { mu.Lock(); defer mu.Unlock(); return n >= chats*each }
	claimCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for chat := int64(w); !done() && claimCtx.Err() == nil; chat = (chat + 1) % chats {
				var ms []domain.OutMessage
				var err error
				if w%2 == 0 {
					ms, err = db.Outbox().Claim(claimCtx, 4, time.Minute)
				} else {
					ms, err = db.Outbox().ClaimChat(claimCtx, chat, 1<<62, time.Minute)
				}
				if err == nil {
					err = send(ms)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for chat := range int64(chats) {
		ids := sent[chat]
		inOrder := len(ids) == each
		for i := 1; i < len(ids) && inOrder; i++ {
			inOrder = ids[i] > ids[i-1]
		}
		if !inOrder {
			t.Errorf("chat %d: sent %v, want %d messages, each once, in order", chat, ids, each)
		}
	}
}

// TestMarksMadeMeanwhileGoTogether: marks that arrive while a mark-sent
// statement is under way are made by the next one, all at once, and each
// caller returns only once its own row is marked. The first mark is held
// up by a lock on its row; nineteen more arrive meanwhile.
func TestMarksMadeMeanwhileGoTogether(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db := outboxDB(t, at)
	ctx := t.Context()
	var msgs []domain.OutMessage
	for i := range 20 {
		msgs = append(msgs, msg(int64(100+i), fmt.Sprint("m", i)))
	}
	ids := queue(t, db, true, msgs...)
	ob := db.Outbox()

	blocker, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback(context.Background()) //nolint:errcheck // committed below
	if _, err := blocker.Exec(ctx, `SELECT 1 FROM outbox WHERE id = $1 FOR UPDATE`, ids[0]); err != nil {
		t.Fatal(err)
	}
	marked := make(chan int64, len(ids))
	var wg sync.WaitGroup
	mark := func(id int64) {
		defer wg.Done()
		if err := ob.MarkSent(ctx, id); err != nil {
			t.Error(err)
		}
		marked <- id
	}
	wg.Add(1)
	go mark(ids[0])
	waitFor(t, "the first mark under way", func() bool { return db.MarkBatches() == 1 })
	for _, id := range ids[1:] {
		wg.Add(1)
		go mark(id)
	}
	waitFor(t, "nineteen marks queued", func() bool { return db.QueuedMarks() == len(ids)-1 })
	select {
	case id := <-marked:
		t.Fatalf("MarkSent(%d) returned while its statement waits", id)
	default:
	}
	if err := blocker.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if n := db.MarkBatches(); n != 2 {
		t.Errorf("%d mark-sent statements for 20 marks, want 2 (the first, then the nineteen made meanwhile)", n)
	}
	if n := sqlOne[int](t, db, `SELECT count(*) FROM outbox WHERE sent_at = $1 AND claimed_until IS NULL AND payload = '{}'`, at); n != len(ids) {
		t.Errorf("%d of %d rows marked sent and scrubbed", n, len(ids))
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
	}
}

// TestFailingChatClaimLocksNothing: a look at a chat whose first message
// another sender holds (a worker's ClaimChat while the background sender
// sends the chat's notice) takes nothing, and locks nothing either. The
// holder marks the notice sent and looks at the chat at once, while that
// look may still be under way: it must find the reply free. When the
// failing look locked the reply (every free row of the chat, before the
// run was checked), both came back empty and the reply waited for the
// background sender's next round, behind its whole queue (a flaky
// TestReplyFollowsTheNoticeItWaitedFor). The look is held open in a
// transaction here while the holder looks.
func TestFailingChatClaimLocksNothing(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	notice := enqueue(t, db, 7, time.Time{})
	heads, err := db.Outbox().Claim(ctx, 10, time.Minute) // the holder leases the notice
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "the holder's claim", idsOf(heads), []int64{notice})
	var reply domain.OutMessage
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		reply = domain.OutMessage{ChatID: 7, Payload: json.RawMessage(`{"text":"reply"}`)}
		return tx.Hold(ctx, &reply)
	})
	// The worker could not send its reply first and gave it back.
	if err := db.Outbox().Release(ctx, []domain.OutMessage{reply}); err != nil {
		t.Fatal(err)
	}

	look, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer look.Rollback(ctx) //nolint:errcheck // only looked
	if _, err := look.Exec(ctx, postgres.ClaimPlanSQL); err != nil {
		t.Fatal(err)
	}
	rows, err := look.Query(ctx, postgres.ClaimChatSQL, int64(7), int64(math.MaxInt64), 60.0, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	if rows.Close(); rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if n != 0 {
		t.Fatalf("the worker's look took %d messages while the notice is held", n)
	}

	// The notice went out; its sender serves the chat on.
	if err := db.Outbox().MarkSent(ctx, notice); err != nil {
		t.Fatal(err)
	}
	claimCtx, cancel := context.WithTimeout(ctx, time.Minute) // a wait for a lock would hang
	defer cancel()
	got, err := db.Outbox().ClaimChat(claimCtx, 7, math.MaxInt64, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	checkEqual(t, "the holder's look while the worker's is under way", idsOf(got), []int64{reply.ID})
}
