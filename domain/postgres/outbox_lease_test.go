package postgres_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestMarkSent: a sent message leaves the queue (Pending, Get, Claim)
// at once, stamped with the business clock and scrubbed of its content;
// the others stay, and a released lease can be claimed again.
func TestMarkSent(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	ob := db.Outbox()
	a, b, c := enqueue(t, db, 1, time.Time{}), enqueue(t, db, 2, time.Time{}), enqueue(t, db, 3, time.Time{})
	leased := claimAll(t, db, a, b, c)
	at := clock.Advance(time.Second)
	for _, id := range []int64{a, c} {
		if err := ob.MarkSent(ctx, id); err != nil {
			t.Fatal(err)
		}
		checkTime(t, "sent_at", sqlOne[time.Time](t, db, `SELECT sent_at FROM outbox WHERE id = $1`, id), at)
		if p := sqlOne[string](t, db, `SELECT payload::text FROM outbox WHERE id = $1`, id); p != "{}" {
			t.Errorf("a sent message keeps its payload %s", p)
		}
	}
	if n, err := ob.Pending(ctx); n != 1 || err != nil {
		t.Errorf("Pending = %d (err %v), want 1", n, err)
	}
	if got := unsentOf(t, db, a, b, c); !reflect.DeepEqual(got, []int64{b}) {
		t.Errorf("unsent = %v, want only %d", got, b)
	}
	claimAll(t, db) // b is still leased
	if err := ob.Release(ctx, leased); err != nil {
		t.Fatal(err)
	}
	if err := ob.Release(ctx, nil); err != nil {
		t.Fatalf("Release(nil): %v", err)
	}
	claimAll(t, db, b)
}

// TestTake: a sender may send a leased message only while its lease is
// the current one (same attempts) and nothing earlier of its chat is
// pending; a sent, dropped or released message is not taken.
func TestTake(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	ob := db.Outbox()
	ids := map[string]int64{}
	for name, chat := range map[string]int64{"leased": 1, "stale": 2, "sent": 3, "dropped": 4, "released": 5, "first": 6} {
		ids[name] = enqueue(t, db, chat, time.Time{})
	}
	ids["second"] = enqueue(t, db, 6, time.Time{})
	leases := map[int64]domain.OutMessage{}
	for _, m := range claimAll(t, db, ids["leased"], ids["stale"], ids["sent"], ids["dropped"], ids["released"], ids["first"]) {
		leases[m.ID] = m
	}
	// The second message of chat 6 is leased by its writer, as a reply.
	if _, err := db.Pool().Exec(ctx, `UPDATE outbox SET claimed_until = now() + interval '1 minute', attempts = 1
		WHERE id = $1`, ids["second"]); err != nil {
		t.Fatal(err)
	}
	leases[ids["second"]] = domain.OutMessage{ID: ids["second"], ChatID: 6, Attempts: 1}
	stale := leases[ids["stale"]]
	stale.Attempts-- // a lease the sender lost to another
	leases[ids["stale"]] = stale
	for _, err := range []error{
		ob.MarkSent(ctx, ids["sent"]),
		ob.Drop(ctx, leases[ids["dropped"]], "400"),
		ob.Release(ctx, []domain.OutMessage{leases[ids["released"]]}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"leased", true}, {"stale", false}, {"sent", false}, {"dropped", false}, {"released", false},
		{"second", false}, // behind the first of its chat
		{"first", true},
	} {
		ok, err := ob.Take(ctx, leases[ids[tc.name]], time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok != tc.want {
			t.Errorf("Take(%s) = %v, want %v", tc.name, ok, tc.want)
		}
	}
	if err := ob.MarkSent(ctx, ids["first"]); err != nil {
		t.Fatal(err)
	}
	if ok, err := ob.Take(ctx, leases[ids["second"]], time.Minute); err != nil || !ok {
		t.Errorf("Take of the second once the first is sent = %v (err %v), want true", ok, err)
	}
}

// TestPutOffAndDrop: PutOff releases a leased row until a wall-clock time
// with the reason, and it is due again from then on; Drop gives up on it
// for good, at the business clock's time, and scrubs it.
func TestPutOffAndDrop(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	ob := db.Outbox()
	putOff, dropped := enqueue(t, db, 1, time.Time{}), enqueue(t, db, 2, time.Time{})
	leased := claimAll(t, db, putOff, dropped)
	m, d := leased[0], leased[1]
	if m.ID != putOff {
		m, d = d, m
	}
	if err := ob.PutOff(ctx, m, time.Hour, "429: retry after 3600"); err != nil {
		t.Fatal(err)
	}
	at := clock.Advance(time.Second)
	if err := ob.Drop(ctx, d, "400: chat not found"); err != nil {
		t.Fatal(err)
	}
	claimAll(t, db) // nothing before retry_at
	for id, want := range map[int64]string{putOff: "429: retry after 3600", dropped: "400: chat not found"} {
		if e := sqlOne[string](t, db, `SELECT last_error FROM outbox WHERE id = $1`, id); e != want {
			t.Errorf("message %d: last_error %q, want %q", id, e, want)
		}
	}
	checkTime(t, "dropped_at", sqlOne[time.Time](t, db, `SELECT dropped_at FROM outbox WHERE id = $1`, dropped), at)
	if p := sqlOne[string](t, db, `SELECT payload::text FROM outbox WHERE id = $1`, dropped); p != "{}" {
		t.Errorf("a dropped message keeps its payload %s", p)
	}
	if n, err := ob.Pending(ctx); n != 1 || err != nil {
		t.Errorf("Pending = %d (err %v), want 1: the put-off row", n, err)
	}
	if got := unsentOf(t, db, putOff, dropped); !reflect.DeepEqual(got, []int64{putOff}) {
		t.Errorf("unsent = %v, want the put-off row only", got)
	}

	if err := ob.PutOff(ctx, m, -time.Second, "network"); err != nil {
		t.Fatal(err)
	}
	again := claimAll(t, db, putOff)
	if again[0].Attempts != 2 {
		t.Errorf("attempts %d, want 2", again[0].Attempts)
	}
}

// TestMarkUnreachable: after a 403 the chat's customer is flagged at the
// business clock's time (a later 403 keeps the first time) and the
// chat's queued, unleased messages due now are dropped and scrubbed; one
// queued for later waits for its time (the person may be back by then);
// a message a sender holds is its to finish; other chats are untouched.
func TestMarkUnreachable(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	ob := db.Outbox()
	blocked, _ := addMember(t, db, clock, 5)
	fine, _ := addMember(t, db, clock, 6)
	queued := []int64{enqueue(t, db, 5, time.Time{})}
	later := enqueue(t, db, 5, t0.Add(time.Hour))
	var held int64
	inTx(t, db, func(ctx context.Context, tx domain.Tx) (err error) {
		held, err = tx.Enqueue(ctx, domain.OutMessage{ChatID: 5, Payload: []byte(`{"text":"reply"}`)}, true)
		return err
	})
	other := enqueue(t, db, 6, time.Time{})
	at := clock.Advance(time.Minute)
	if err := ob.MarkUnreachable(ctx, blocked.ChatID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := ob.MarkUnreachable(ctx, blocked.ChatID); err != nil {
		t.Fatal(err)
	}
	checkTime(t, "unreachable_at", sqlOne[time.Time](t, db, `SELECT unreachable_at FROM customers WHERE id = $1`, blocked.ID), at)
	if n := sqlOne[int](t, db, `SELECT count(*) FROM customers WHERE id = $1 AND unreachable_at IS NULL`, fine.ID); n != 1 {
		t.Error("another chat's customer was flagged")
	}
	for _, id := range queued {
		checkTime(t, "dropped_at", sqlOne[time.Time](t, db, `SELECT dropped_at FROM outbox WHERE id = $1`, id), at)
		if p := sqlOne[string](t, db, `SELECT payload::text FROM outbox WHERE id = $1`, id); p != "{}" {
			t.Errorf("a dropped message keeps its payload %s", p)
		}
	}
	if got := unsentOf(t, db, later); len(got) != 1 {
		t.Errorf("the message queued for later: unsent = %v, want it still pending", got)
	}
	if got := unsentOf(t, db, held); len(got) != 1 {
		t.Errorf("the held message: unsent = %v, want it still pending", got)
	}
	if n, err := ob.Pending(ctx); n != 2 || err != nil {
		t.Errorf("Pending = %d (err %v), want 2: the held message and the other chat's", n, err)
	}
	claimAll(t, db, other)
	if err := ob.MarkUnreachable(ctx, 999); err != nil {
		t.Errorf("a chat nobody has: %v", err)
	}
}
