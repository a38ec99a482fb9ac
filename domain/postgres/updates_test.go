package postgres_test

import (
	"context"
	"errors"
	"fmt"
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
