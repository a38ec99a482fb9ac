package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestStoppedPromotionTakesBackItsAnnouncementsLatecomers: a promotion
// stopped while the broadcast job is queueing its scheduled announcement
// for whoever joined meanwhile (QueueLatecomers, not committed yet) takes
// back those messages too, as CancelBroadcast does: none of the
// announcement of a stopped promotion is left to go.
func TestStoppedPromotionTakesBackItsAnnouncementsLatecomers(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	owner := addStaff(t, db, 9001, domain.RoleOwner, 0)
	ann, _ := addMember(t, db, clock, 9101)
	if _, err := db.Pool().Exec(t.Context(), `UPDATE customers SET marketing = true WHERE id = $1`, ann.ID); err != nil {
		t.Fatal(err)
	}
	b := &domain.Broadcast{StaffID: owner.ID, Text: "Flash promotion", NotBefore: clock.Now().Add(time.Hour),
		CreatedAt: clock.Now(), Promotion: "live-1"}
	p := domain.BroadcastPayloads{ByLanguage: map[string]json.RawMessage{"en": json.RawMessage(`{"text":"Flash promotion"}`)},
		Default: "en"}
	inTx(t, db, func(ctx context.Context, tx domain.Tx) error { return tx.QueueBroadcast(ctx, b, domain.Audience{}, p) })
	bob, _ := addMember(t, db, clock, 9102) // joins meanwhile
	if _, err := db.Pool().Exec(t.Context(), `UPDATE customers SET marketing = true WHERE id = $1`, bob.ID); err != nil {
		t.Fatal(err)
	}
	at := clock.Advance(time.Hour)

	// The broadcast job, at its time, has queued it for Bob and not
	// committed yet when the promotion is stopped.
	release := holdTx(t, db, func(ctx context.Context, tx domain.Tx) error {
		due, err := tx.ClaimDueAudiences(ctx, at, 100)
		if err != nil || len(due) != 1 {
			t.Errorf("due: %v, %v", due, err)
			return err
		}
		n, err := tx.QueueLatecomers(ctx, b.ID, domain.Audience{}, at)
		if n != 1 {
			t.Errorf("latecomers queued: %d", n)
		}
		return err
	})
	stopped := make(chan error, 1)
	go func() {
		stopped <- db.Update(context.WithoutCancel(t.Context()), func(tx domain.Tx) error {
			_, err := tx.CancelPromotionBroadcasts(context.WithoutCancel(t.Context()), "live-1", at)
			return err
		})
	}()
	// The stop waits for the job.
	deadline := time.Now().Add(10 * time.Second)
	for sqlOne[int](t, db, `SELECT count(*)::int FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stop did not wait for the broadcast job")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if n := sqlOne[int](t, db, `SELECT count(*)::int FROM outbox WHERE broadcast_id = $1 AND sent_at IS NULL AND dropped_at IS NULL`,
		b.ID); n != 0 {
		t.Errorf("%d messages of the stopped promotion's announcement still to go", n)
	}
}
