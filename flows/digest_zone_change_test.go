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

// TestDigestOfAStoreMovedEastCountsNoRatingTwice: River was in Moscow's
// zone, and Vera, its manager, got Carl's rating in the evening digest
// at 21:00 in Moscow. Then the config puts River in Vladivostok (7 hours
// ahead, so its evening comes before Moscow's): Vera's first digest at
// 21:00 in Vladivostok takes up from where her last one ended, with
// Dana's rating alone, not Carl's again.
func TestDigestOfAStoreMovedEastCountsNoRatingTwice(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	vera := hireAt(t, h, owner, "manager", "River", 910, "Vera")
	msk, _ := time.LoadLocation("Europe/Moscow")
	vvo, _ := time.LoadLocation("Asia/Vladivostok")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	spec := domain.DefaultJobs()[domain.JobFeedbackDigest]
	clocked := func() *schedule.Clocked {
		c, err := schedule.NewClocked(h.DB, msk, log, h.Clock.Now(),
			schedule.FeedbackDigestJobs(spec, h.DB, h.Engine.Service, log)...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := clocked()
	at := func(day, hour int, loc *time.Location) {
		t.Helper()
		h.Clock.Advance(time.Date(2026, 11, day, hour, 0, 5, 0, loc).Sub(h.Clock.Now()))
		c.RunDue(t.Context(), h.Clock.Now())
		h.Settle()
	}
	seen := 0
	got := func() []string {
		var out []string
		msgs := vera.Sync().U.Messages()
		for _, m := range msgs[seen:] {
			out = append(out, m.Text)
		}
		seen = len(msgs)
		return out
	}
	const day, since = "📊 Ratings in the last 24 hours:\n", "📊 Ratings since 23.11 04:00:\n" // 21:00 in Moscow
	river := func(stars string) string {
		return "River: 1 rating, average " + stars + "⭐\n   · the store in general: 1, average " + stars + "⭐"
	}
	join(t, h, 132, "Carl").Send("/feedback").Tap("River").Tap("5⭐").Tap("Skip") // 22 November, 15:00 in Moscow
	h.Settle()
	got()
	at(22, 21, msk)
	if m := got(); len(m) != 1 || m[0] != day+river("5.0") {
		t.Fatalf("Vera at 21:00 in Moscow: %q, want Carl's rating", m)
	}

	// The config moves River to Vladivostok; the bot restarts with it.
	h.Biz.Stores[1].TimeZone = "Asia/Vladivostok"
	if err := h.DB.SyncStores(t.Context(), h.Biz.Stores); err != nil {
		t.Fatal(err)
	}
	c = clocked()
	h.Clock.Advance(12 * time.Hour) // 23 November, 09:05 in Moscow
	join(t, h, 133, "Dana").Send("/feedback").Tap("River").Tap("4⭐").Tap("Skip")
	h.Settle()
	got()
	at(23, 21, vvo) // 14:00 in Moscow
	if m := got(); len(m) != 1 || m[0] != since+river("4.0") {
		t.Fatalf("Vera's first evening in Vladivostok: %q, want Dana's rating alone (Carl's she had)", m)
	}
}
