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

// TestDigestOfAZoneOnTheFirstStoresClockOnItsFirstEvening: River is in
// Minsk, a zone of its own in the config but on Moscow's clock, so its
// evening is the same minute as the owners'. On the very first evening
// the owners' digest runs first; Vera, River's manager, still gets her
// digest with Carl's rating that evening, not nothing until the next.
func TestDigestOfAZoneOnTheFirstStoresClockOnItsFirstEvening(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Europe/Minsk" })
	owner := h.Chat(ownerID, "Olga", "en")
	vera := hireAt(t, h, owner, "manager", "River", 914, "Vera")
	msk, _ := time.LoadLocation("Europe/Moscow")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	spec := domain.DefaultJobs()[domain.JobFeedbackDigest]
	c, err := schedule.NewClocked(h.DB, msk, log, h.Clock.Now(),
		schedule.FeedbackDigestJobs(spec, h.DB, h.Engine.Service, log)...)
	if err != nil {
		t.Fatal(err)
	}
	join(t, h, 132, "Carl").Send("/feedback").Tap("River").Tap("5⭐").Tap("Skip") // 22 November, 15:00
	h.Settle()
	seen := len(vera.Sync().U.Messages())
	h.Clock.Advance(time.Date(2026, 11, 22, 21, 0, 5, 0, msk).Sub(h.Clock.Now()))
	c.RunDue(t.Context(), h.Clock.Now())
	h.Settle()
	var got []string
	for _, m := range vera.Sync().U.Messages()[seen:] {
		got = append(got, m.Text)
	}
	const want = "📊 Ratings in the last 24 hours:\nRiver: 1 rating, average 5.0⭐\n   · the store in general: 1, average 5.0⭐"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("Vera on the first evening in Minsk: %q, want Carl's rating", got)
	}
}
