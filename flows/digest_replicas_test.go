package flows_test

import (
	"io"
	"log/slog"
	"strings"
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

// TestDigestCatchUpJustBeforeTheTick: the bot was down over yesterday's
// 21:00 digest and is back at 20:59:40. The missed digest goes out at
// once; today's, 20 seconds later at 21:00, must still go out with the
// rating given in between, not be taken as done by the catch-up run,
// and must not count again Anna's, which the catch-up digest counted.
func TestDigestCatchUpJustBeforeTheTick(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 903, "Boris")
	loc, err := time.LoadLocation(h.Biz.Stores[0].TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	spec := domain.DefaultJobs()[domain.JobFeedbackDigest]
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := schedule.NewClocked(h.DB, loc, log, h.Clock.Now(),
		schedule.FeedbackDigestJob(spec, h.DB, h.Engine.Service, log))
	if err != nil {
		t.Fatal(err)
	}
	now := h.Clock.Now().In(loc)
	h.Clock.Advance(time.Date(now.Year(), now.Month(), now.Day()+1, 12, 0, 0, 0, loc).Sub(now)) // down since
	anna := join(t, h, 104, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("4⭐").Tap("Skip")
	bella := join(t, h, 105, "Bella")
	buy(t, bella, cashier)
	h.Settle()

	h.Clock.Advance(8*time.Hour + 59*time.Minute + 40*time.Second) // back at 20:59:40
	if got := c.RunDue(t.Context(), h.Clock.Now()); len(got) != 1 {
		t.Fatalf("back at 20:59:40 after missing yesterday's 21:00: ran %v, want the digest", got)
	}
	h.Settle()
	msgs := owner.Sync().U.Messages()
	if !strings.Contains(msgs[len(msgs)-1].Text, "1 rating, average 4.0⭐") {
		t.Fatalf("the catch-up digest, want Anna's 4⭐:\n%s", owner.Transcript())
	}
	seen := len(msgs)

	h.Clock.Advance(10 * time.Second) // 20:59:50: Bella rates her visit
	bella.Send("/feedback").Tap("5⭐").Tap("Skip")
	h.Settle()
	h.Clock.Advance(20 * time.Second) // 21:00:10
	if got := c.RunDue(t.Context(), h.Clock.Now()); len(got) != 1 {
		t.Errorf("today's 21:00 tick ran %v, want the digest", got)
	}
	h.Settle()
	msgs = owner.Sync().U.Messages()[seen:]
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "📊 Ratings since 23.11 20:59:") ||
		!strings.Contains(msgs[0].Text, "1 rating, average 5.0⭐") {
		t.Fatalf("the owner got %d messages at 21:00, want today's digest with Bella's 5⭐ alone, since the catch-up:\n%s",
			len(msgs), owner.Transcript())
	}
}

// TestDigestCountsARatingGivenJustAfterTheTick: the scheduler checks the
// jobs each minute, so a 21:00 digest runs a few seconds into the
// minute, never at the same second twice. Today's ran at 21:00:02; Bella
// rated her visit at 21:00:05, after it. Tomorrow's, at 21:00:10, must
// count her rating: each evening's digest takes up where the last one
// ended, not the 24 hours before it runs, which lost her rating between
// the two.
func TestDigestCountsARatingGivenJustAfterTheTick(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 903, "Boris")
	loc, err := time.LoadLocation(h.Biz.Stores[0].TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	spec := domain.DefaultJobs()[domain.JobFeedbackDigest]
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := schedule.NewClocked(h.DB, loc, log, h.Clock.Now(),
		schedule.FeedbackDigestJob(spec, h.DB, h.Engine.Service, log))
	if err != nil {
		t.Fatal(err)
	}
	anna := join(t, h, 104, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("5⭐").Tap("Skip")
	bella := join(t, h, 105, "Bella")
	buy(t, bella, cashier)
	h.Settle()

	now := h.Clock.Now().In(loc)
	h.Clock.Advance(time.Date(now.Year(), now.Month(), now.Day(), 21, 0, 2, 0, loc).Sub(now))
	if got := c.RunDue(t.Context(), h.Clock.Now()); len(got) != 1 {
		t.Fatalf("at 21:00:02 ran %v, want the digest", got)
	}
	h.Settle()
	msgs := owner.Sync().U.Messages()
	if !strings.Contains(msgs[len(msgs)-1].Text, "1 rating, average 5.0⭐") {
		t.Fatalf("today's digest, want Anna's 5⭐:\n%s", owner.Transcript())
	}
	seen := len(msgs)

	h.Clock.Advance(3 * time.Second) // 21:00:05
	bella.Send("/feedback").Tap("4⭐").Tap("Skip")
	h.Settle()
	h.Clock.Advance(24*time.Hour + 5*time.Second) // tomorrow, 21:00:10
	if got := c.RunDue(t.Context(), h.Clock.Now()); len(got) != 1 {
		t.Fatalf("tomorrow at 21:00:10 ran %v, want the digest", got)
	}
	h.Settle()
	msgs = owner.Sync().U.Messages()[seen:]
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "📊 Ratings in the last 24 hours:") ||
		!strings.Contains(msgs[0].Text, "1 rating, average 4.0⭐") {
		t.Fatalf("tomorrow's digest, want Bella's 4⭐ given at 21:00:05, after today's:\n%s", owner.Transcript())
	}
}
