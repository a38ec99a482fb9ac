package flows_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestBirthdayTomorrowAtTheStoreIsRefused: "today" for a birthday is the customer's day at their store, not the
// server's UTC day: at 21:00 in New York on 22 November, 23 November is
// tomorrow, a birthday in the future.
func TestBirthdayTomorrowAtTheStoreIsRefused(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("basic"), func(b *domain.Business) {
		for i := range b.Stores {
			b.Stores[i].TimeZone = "America/New_York"
		}
	})
	h.Clock.Advance(14 * time.Hour) // 2026-11-23 02:00 UTC = 2026-11-22 21:00 in New York
	c := h.Chat(5120, "Nina", "en")
	c.Send("/start s_central").Tap("✅ I agree").ShareContact("+79990005120").Tap("Nina").Tap("No, thanks").
		Send("/profile").Tap("📝 About you (up to +105 points)").
		Send("23.11.2026")
	if n := countRows(t, h, `SELECT count(*) FROM answers WHERE question_id = 'birthday' AND value->>'date' = '2026-11-23'`); n != 0 {
		t.Errorf("a birthday of tomorrow (at the customer's store) was accepted:\n%s", c.Transcript())
	}
}
