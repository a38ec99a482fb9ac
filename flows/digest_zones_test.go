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

// TestDigestAtEachStoresEvening: a Moscow business opens River in
// Vladivostok (7 hours ahead). The owners get one digest of every store
// at the first store's 21:00, Moscow's; Vera, River's manager, gets
// River's at 21:00 in Vladivostok, not at 04:00 when Moscow's evening
// comes. Each rating is counted once in each reader's digests.
func TestDigestAtEachStoresEvening(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Vladivostok" })
	owner := h.Chat(ownerID, "Olga", "en")
	vera := hireAt(t, h, owner, "manager", "River", 910, "Vera")
	msk, _ := time.LoadLocation("Europe/Moscow")
	vvo, _ := time.LoadLocation("Asia/Vladivostok")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	spec := domain.DefaultJobs()[domain.JobFeedbackDigest]
	c, err := schedule.NewClocked(h.DB, msk, log, h.Clock.Now(),
		schedule.FeedbackDigestJobs(spec, h.DB, h.Engine.Service, log)...)
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int, loc *time.Location) {
		t.Helper()
		h.Clock.Advance(time.Date(2026, 11, day, hour, 0, 5, 0, loc).Sub(h.Clock.Now()))
		c.RunDue(t.Context(), h.Clock.Now())
		h.Settle()
	}
	got := func(chat *bottest.Chat, seen *int) []string {
		var out []string
		msgs := chat.Sync().U.Messages()
		for _, m := range msgs[*seen:] {
			out = append(out, m.Text)
		}
		*seen = len(msgs)
		return out
	}
	join(t, h, 131, "Anna").Send("/feedback").Tap("Central").Tap("4⭐").Tap("Skip")
	join(t, h, 132, "Carl").Send("/feedback").Tap("River").Tap("5⭐").Tap("Skip")
	h.Settle()
	ownerSeen, veraSeen := len(owner.Sync().U.Messages()), len(vera.Sync().U.Messages())

	const day = "📊 Ratings in the last 24 hours:\n"
	central4 := "Central: 1 rating, average 4.0⭐\n   · the store in general: 1, average 4.0⭐"
	river := func(stars string) string {
		return "River: 1 rating, average " + stars + "⭐\n   · the store in general: 1, average " + stars + "⭐"
	}
	at(22, 21, msk) // 04:00 in Vladivostok
	if m := got(owner, &ownerSeen); len(m) != 1 || m[0] != day+central4+"\n"+river("5.0") {
		t.Fatalf("the owner at 21:00 in Moscow: %q, want one digest of both stores", m)
	}
	if m := got(vera, &veraSeen); len(m) != 0 {
		t.Fatalf("Vera got %q at 04:00 in Vladivostok, want her digest at her 21:00", m)
	}
	at(23, 21, vvo) // 14:00 in Moscow
	// Her first takes up from where the owners' first began.
	if m := got(vera, &veraSeen); len(m) != 1 || m[0] != "📊 Ratings since 22.11 04:00:\n"+river("5.0") {
		t.Fatalf("Vera at 21:00 in Vladivostok: %q, want River's digest", m)
	}
	if m := got(owner, &ownerSeen); len(m) != 0 {
		t.Fatalf("the owner got %q at 14:00 in Moscow", m)
	}
	join(t, h, 133, "Dana").Send("/feedback").Tap("River").Tap("4⭐").Tap("Skip")
	h.Settle()
	ownerSeen = len(owner.Sync().U.Messages())
	at(23, 21, msk)
	if m := got(owner, &ownerSeen); len(m) != 1 || m[0] != day+river("4.0") {
		t.Fatalf("the owner's second evening: %q, want Dana's rating alone", m)
	}
	if m := got(vera, &veraSeen); len(m) != 0 {
		t.Fatalf("Vera got %q at 04:00 in Vladivostok", m)
	}
	at(24, 21, vvo)
	if m := got(vera, &veraSeen); len(m) != 1 || m[0] != day+river("4.0") {
		t.Fatalf("Vera's second evening: %q, want Dana's rating alone", m)
	}
}
