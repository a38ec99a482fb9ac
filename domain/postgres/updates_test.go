package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// clockDB opens a test database whose clock the test moves.
func clockDB(t *testing.T) (*postgres.DB, *time.Time) {
	t.Helper()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	db, err := postgres.Open(context.Background(), pgtest.NewDB(t), 4, postgres.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db, &now
}

func scalar[T any](t *testing.T, db *postgres.DB, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := db.Pool().QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSaveUpdateRefusesWhatJSONBCannotHold: a payload PostgreSQL refuses
// comes back as ErrInvalid (set it aside), not as an error worth retrying.
func TestSaveUpdateRefusesWhatJSONBCannotHold(t *testing.T) {
	t.Parallel()
	db, _ := clockDB(t)
	ctx := context.Background()
	for i, text := range []string{`a\u0000b`, "a\xffb", `a\ud800b`} {
		payload := fmt.Sprintf(`{"update_id": %d, "message": {"text": "%s"}}`, i+1, text)
		_, err := db.SaveUpdate(ctx, int64(i+1), 7, []byte(payload))
		if !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("text %q: err %v, want ErrInvalid", text, err)
		}
	}
	if fresh, err := db.SaveUpdate(ctx, 9, 7, []byte(`{"update_id": 9}`)); err != nil || !fresh {
		t.Fatalf("a plain update: fresh %v, err %v", fresh, err)
	}
}

// TestDeadLetterLeavesHandledUpdatesAlone: setting aside marks a pending
// update done and keeps its bytes; an update already handled is not set
// aside; an update never stored is kept with its raw bytes.
func TestDeadLetterLeavesHandledUpdatesAlone(t *testing.T) {
	t.Parallel()
	db, now := clockDB(t)
	ctx := context.Background()
	for _, id := range []int64{1, 2} {
		if _, err := db.SaveUpdate(ctx, id, 7, fmt.Appendf(nil, `{"update_id": %d}`, id)); err != nil {
			t.Fatal(err)
		}
	}
	err := db.Update(ctx, func(tx domain.Tx) error {
		if _, err := tx.ClaimUpdate(ctx, 2); err != nil {
			return err
		}
		return tx.MarkUpdateProcessed(ctx, 2)
	})
	if err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Minute)
	raw := []byte("{\"update_id\": 3, \"message\": {\"text\": \"a\xffb\"}}")
	for _, u := range []domain.RawUpdate{
		{UpdateID: 1, ChatID: 7, Payload: []byte(`{"update_id": 1}`)},
		{UpdateID: 2, ChatID: 7, Payload: []byte(`{"update_id": 2}`)},
		{UpdateID: 3, ChatID: 7, Payload: raw},
	} {
		set, err := db.DeadLetterUpdate(ctx, u, "handling failed twice")
		if err != nil {
			t.Fatal(err)
		}
		if want := u.UpdateID != 2; set != want {
			t.Errorf("update %d: set aside %v, want %v", u.UpdateID, set, want)
		}
	}
	if n := scalar[int](t, db, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d updates still pending after dead-lettering", n)
	}
	if ids := scalar[string](t, db, `SELECT string_agg(update_id::text, ',' ORDER BY update_id) FROM dead_updates`); ids != "1,3" {
		t.Errorf("dead letters %s, want 1,3 (2 was handled)", ids)
	}
	if got := scalar[[]byte](t, db, `SELECT payload FROM dead_updates WHERE update_id = 3`); string(got) != string(raw) {
		t.Errorf("unstorable update kept as %q, want the raw bytes %q", got, raw)
	}
	at := scalar[time.Time](t, db, `SELECT failed_at FROM dead_updates WHERE update_id = 1`)
	if !at.Equal(*now) {
		t.Errorf("failed_at %v, want the store's clock %v", at, *now)
	}
}

// TestSetAsideStaleUpdates: by the store's clock, pending updates older
// than the age are set aside with the reason; recent ones stay pending.
func TestSetAsideStaleUpdates(t *testing.T) {
	t.Parallel()
	db, now := clockDB(t)
	ctx := context.Background()
	save := func(id int64) {
		if _, err := db.SaveUpdate(ctx, id, 7, fmt.Appendf(nil, `{"update_id": %d, "message": {"text": "é"}}`, id)); err != nil {
			t.Fatal(err)
		}
	}
	save(1)
	*now = now.Add(24 * time.Hour)
	save(2)
	*now = now.Add(5 * time.Minute)
	n, err := db.SetAsideStaleUpdates(ctx, 10*time.Minute, "too old to act on")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("set aside %d updates, want the day-old one", n)
	}
	pending, err := db.PendingUpdates(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].UpdateID != 2 {
		t.Fatalf("pending %+v, want only the recent update 2", pending)
	}
	if r := scalar[string](t, db, `SELECT reason FROM dead_updates WHERE update_id = 1`); r != "too old to act on" {
		t.Errorf("reason %q", r)
	}
	if p := scalar[string](t, db, `SELECT convert_from(payload, 'UTF8') FROM dead_updates WHERE update_id = 1`); p != `{"message": {"text": "é"}, "update_id": 1}` {
		t.Errorf("payload kept as %s", p)
	}
}

// TestSaveUpdate: an update is stored once, received at the business
// clock's time; a redelivery of the same update_id keeps the first copy
// and reports true while it is not handled (its storing may never have
// been heard of), false once it is.
func TestSaveUpdate(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	for i, want := range []bool{true, true, false} {
		if i == 2 {
			inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.FinishUpdate(ctx, 100) })
		}
		fresh, err := db.SaveUpdate(ctx, 100, 7, fmt.Appendf(nil, `{"update_id": 100, "copy": %d}`, i))
		if err != nil {
			t.Fatal(err)
		}
		if fresh != want {
			t.Errorf("delivery %d: fresh = %v, want %v", i+1, fresh, want)
		}
		clock.Advance(time.Second)
	}
	checkTime(t, "received_at", sqlOne[time.Time](t, db, `SELECT received_at FROM updates WHERE update_id = 100`), t0)
	if c := sqlOne[int](t, db, `SELECT (payload->>'copy')::int FROM updates WHERE update_id = 100`); c != 0 {
		t.Errorf("the stored copy is delivery %d, want the first", c+1)
	}
}

// TestPendingUpdates: stored updates not yet handled, by update_id (the
// order Telegram sent them), at most limit.
func TestPendingUpdates(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	for _, id := range []int64{30, 10, 20, 40} {
		if _, err := db.SaveUpdate(ctx, id, id+1, fmt.Appendf(nil, `{"update_id": %d}`, id)); err != nil {
			t.Fatal(err)
		}
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.MarkUpdateProcessed(ctx, 20) })
	for _, tc := range []struct {
		limit int
		want  []int64
	}{{10, []int64{10, 30, 40}}, {2, []int64{10, 30}}} {
		got, err := db.PendingUpdates(ctx, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []int64
		for _, u := range got {
			gotIDs = append(gotIDs, u.UpdateID)
			if u.ChatID != u.UpdateID+1 || !sameJSON(u.Payload, fmt.Appendf(nil, `{"update_id": %d}`, u.UpdateID)) {
				t.Errorf("update %d read back as %+v", u.UpdateID, u)
			}
		}
		if !reflect.DeepEqual(gotIDs, tc.want) {
			t.Errorf("PendingUpdates(%d) = %v, want %v", tc.limit, gotIDs, tc.want)
		}
	}
}

// TestClaimUpdate: a stored update is claimed (true) until it is marked
// processed, at the business clock's time; then it reports false, so a
// redelivery or another replica does not handle it twice. The claim locks
// the update until its transaction ends; an update never stored is
// ErrNotFound.
func TestClaimUpdate(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	for _, id := range []int64{1, 2} {
		if _, err := db.SaveUpdate(ctx, id, 7, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	const lock = `SELECT 1 FROM updates WHERE update_id = $1 FOR UPDATE`
	release := holdTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		ok, err := tx.ClaimUpdate(ctx, 1)
		if err == nil && !ok {
			t.Error("a stored, unhandled update was not claimed")
		}
		return err
	})
	if !lockedElsewhere(t, db, lock, 1) {
		t.Error("the update is not locked while claimed")
	}
	if lockedElsewhere(t, db, lock, 2) {
		t.Error("claiming update 1 locked update 2")
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}

	at := clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		if ok, err := tx.ClaimUpdate(ctx, 1); err != nil || !ok {
			return fmt.Errorf("claim: %v, %v", ok, err)
		}
		return tx.MarkUpdateProcessed(ctx, 1)
	})
	checkTime(t, "processed_at", sqlOne[time.Time](t, db, `SELECT processed_at FROM updates WHERE update_id = 1`), at)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		ok, err := tx.ClaimUpdate(ctx, 1)
		if ok {
			t.Error("a handled update was claimed again")
		}
		return err
	})
	checkErr(t, "an update never stored", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		_, err := tx.ClaimUpdate(ctx, 3)
		return err
	}), domain.ErrNotFound)
}

// TestSaveUpdatesInOneStatement: a getUpdates answer is stored at once;
// the ones stored and handled before (and a second copy within the
// batch) come back as not fresh, one stored before and not handled as
// fresh (its storing may never have been heard of), and one payload the
// database refuses stores none of them, so the caller can save them one
// by one and set that one aside.
func TestSaveUpdatesInOneStatement(t *testing.T) {
	t.Parallel()
	db, _ := clockDB(t)
	ctx := context.Background()
	raw := func(id int64) domain.RawUpdate {
		return domain.RawUpdate{UpdateID: id, ChatID: 7, Payload: fmt.Appendf(nil, `{"update_id": %d}`, id)}
	}
	for _, id := range []int64{2, 6} {
		if _, err := db.SaveUpdate(ctx, id, 7, raw(id).Payload); err != nil {
			t.Fatal(err)
		}
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.FinishUpdate(ctx, 2) })
	fresh, err := db.SaveUpdates(ctx, []domain.RawUpdate{raw(1), raw(2), raw(3), raw(3), raw(6)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, true, false, true}; !reflect.DeepEqual(fresh, want) {
		t.Errorf("fresh %v, want %v", fresh, want)
	}
	bad := domain.RawUpdate{UpdateID: 5, ChatID: 7, Payload: []byte("{\"update_id\": 5, \"message\": {\"text\": \"a\xffb\"}}")}
	if _, err := db.SaveUpdates(ctx, []domain.RawUpdate{raw(4), bad}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("a refused payload in the batch: %v, want ErrInvalid", err)
	}
	if n := scalar[int64](t, db, `SELECT count(*) FROM updates`); n != 4 {
		t.Errorf("%d updates stored, want 4 (1, 2, 3, 6; nothing of the refused batch)", n)
	}
}

// TestSaveDeliveriesSaysWhatIsBehind: of each webhook update stored, the
// store says whether an earlier update of its chat is pending: stored
// before and not handled (another replica may hold it), or earlier in the
// same batch. A handled one, a later one or another chat's does not count.
// A redelivery of one stored and not handled is fresh again, and behind.
func TestSaveDeliveriesSaysWhatIsBehind(t *testing.T) {
	t.Parallel()
	db, _ := clockDB(t)
	ctx := context.Background()
	raw := func(id, chat int64) domain.RawUpdate {
		return domain.RawUpdate{UpdateID: id, ChatID: chat, Payload: fmt.Appendf(nil, `{"update_id": %d}`, id)}
	}
	for _, u := range []domain.RawUpdate{raw(10, 1), raw(11, 2), raw(40, 3)} {
		if _, err := db.SaveUpdate(ctx, u.UpdateID, u.ChatID, u.Payload); err != nil {
			t.Fatal(err)
		}
	}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.FinishUpdate(ctx, 11) })
	fresh, behind, err := db.SaveDeliveries(ctx, []domain.RawUpdate{
		raw(20, 1),             // 10 of chat 1 pending: behind
		raw(21, 2),             // 11 of chat 2 handled
		raw(22, 3),             // 40 of chat 3 pending, but later
		raw(24, 4), raw(23, 4), // chat 4: 24 is behind 23 of the same batch
		raw(25, 5), // no other update of chat 5
		raw(10, 1), // a redelivery of one not handled
		raw(11, 2), // a redelivery of one handled
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, true, true, true, true, true, true, false}; !reflect.DeepEqual(fresh, want) {
		t.Errorf("fresh %v, want %v", fresh, want)
	}
	if want := []bool{true, false, false, true, false, false, true, false}; !reflect.DeepEqual(behind, want) {
		t.Errorf("behind %v, want %v", behind, want)
	}
	fresh, err = db.SaveUpdates(ctx, []domain.RawUpdate{raw(30, 1)})
	if err != nil || !fresh[0] {
		t.Errorf("SaveUpdates after: fresh %v, err %v", fresh, err)
	}
}

// TestFinishUpdate: the end of an update's transaction marks it handled
// once: a second handling (a redelivery, another replica) fails at commit
// with ErrHandledAlready and leaves nothing of what it did; an update
// never stored is an error (ErrNotFound) too.
func TestFinishUpdate(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	ctx := t.Context()
	if _, err := db.SaveUpdate(ctx, 1, 7, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	at := clock.Advance(time.Minute)
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.FinishUpdate(ctx, 1)
	})
	checkTime(t, "processed_at", sqlOne[time.Time](t, db, `SELECT processed_at FROM updates WHERE update_id = 1`), at)
	clock.Advance(time.Minute)
	checkErr(t, "the update handled again", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		if _, err := tx.LockConversation(ctx, 7); err != nil {
			return err
		}
		if _, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: 7, Payload: []byte(`{"text":"twice"}`)}, true); err != nil {
			return err
		}
		return tx.FinishUpdate(ctx, 1)
	}), domain.ErrHandledAlready)
	checkTime(t, "processed_at after the duplicate", sqlOne[time.Time](t, db, `SELECT processed_at FROM updates WHERE update_id = 1`), at)
	if n := sqlOne[int64](t, db, `SELECT count(*) FROM outbox`); n != 0 {
		t.Errorf("the duplicate's reply stayed: %d outbox rows", n)
	}
	checkErr(t, "an update never stored", txErr(t, db, func(ctx context.Context, tx domain.Tx) error {
		return tx.FinishUpdate(ctx, 3)
	}), domain.ErrNotFound)
}

// TestHandledMarkStaysOnItsPage: marking an update handled writes a new
// version of its row (not a HOT one: processed_at is in the pending
// indexes' predicates). It must find room on the row's own page: on a
// page the intake had filled it went to another, and finish_update, run
// for every update, was the chat load's costliest statement (migration
// 0035).
func TestHandledMarkStaysOnItsPage(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	ctx := t.Context()
	payload := []byte(`{"message":{"text":"` + strings.Repeat("x", 700) + `"}}`)
	us := make([]domain.RawUpdate, 40)
	for i := range us {
		us[i] = domain.RawUpdate{UpdateID: int64(i + 1), ChatID: 7, Payload: payload}
	}
	if _, err := db.SaveUpdates(ctx, us); err != nil {
		t.Fatal(err)
	}
	pages := func() map[int64]int64 {
		rows, err := db.Pool().Query(ctx, `SELECT update_id, (ctid::text::point)[0]::bigint FROM updates`)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]int64{}
		for rows.Next() {
			var id, page int64
			if err := rows.Scan(&id, &page); err != nil {
				t.Fatal(err)
			}
			out[id] = page
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := pages()
	for _, u := range us {
		inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.FinishUpdate(ctx, u.UpdateID) })
	}
	moved := 0
	for id, page := range pages() {
		if page != before[id] {
			moved++
		}
	}
	if moved > 0 {
		t.Errorf("%d of %d rows moved to another page when marked handled", moved, len(us))
	}
	if n := sqlOne[int64](t, db, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d updates not marked", n)
	}
}
