package flows_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/schedule"
)

// TestDigestOnceAcrossReplicas: two replicas run the same cron
// spec ("0 21 * * *"). Their ticks fire at 21:00 on each, a few
// milliseconds apart (clocks, scheduling); the job takes the advisory
// lock, runs in milliseconds and releases it, then the other replica's
// tick takes the lock in turn. README: "each run under a Postgres
// advisory lock, so several replicas run each job once". The owner must
// get one evening digest, not one per replica.
func TestDigestOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 903, "Boris")
	c := join(t, h, 104, "Anna")
	buy(t, c, cashier)
	c.Send("/feedback").Tap("5⭐").Tap("Skip")
	h.Settle()
	seen := len(owner.Sync().U.Messages())
	h.Clock.Advance(time.Hour)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	spec := domain.DefaultJobs()[domain.JobFeedbackDigest]
	replicaA := schedule.FeedbackDigestJob(spec, h.DB, h.Engine.Service, log)
	replicaB := schedule.FeedbackDigestJob(spec, h.DB, h.Engine.Service, log)
	// Each replica's cron callback is exactly st.TryLock(ctx, j.Name, j.Run).
	ranA, err := h.DB.TryLock(t.Context(), replicaA.Name, replicaA.Run)
	if err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(20 * time.Millisecond) // replica B's tick, 20 ms later
	ranB, err := h.DB.TryLock(t.Context(), replicaB.Name, replicaB.Run)
	if err != nil {
		t.Fatal(err)
	}
	h.Settle()
	got := len(owner.Sync().U.Messages()) - seen
	if got != 1 {
		t.Fatalf("replica A ran %v, replica B ran %v: the owner got %d evening digests for one 21:00 tick, want 1:\n%s",
			ranA, ranB, got, owner.Transcript())
	}
}
