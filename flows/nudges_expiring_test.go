package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestExpiringPointsNameThePrizeTheyPayFor: a week before the welcome
// bonus expires the reminder says so, and names the dearest prize the
// points pay for, to ask for at the register.
func TestExpiringPointsNameThePrizeTheyPayFor(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withPrizes, func(b *domain.Business) { b.WelcomeBonusDays = 30 })
	anna := joinConsenting(t, h, 171, "Anna")      // 100 welcome points, through 22.12
	h.Clock.Advance(24*24*time.Hour + 2*time.Hour) // 16.12, 17:00 in Moscow: the last day within the week
	runNudges(t, h)
	anna.Sync()
	var reminder string
	for _, m := range anna.U.Messages() {
		if strings.Contains(m.Text, "points on your card expire on") {
			reminder = m.Text
		}
	}
	if !strings.Contains(reminder, "Anna, points on your card expire on ") ||
		!strings.HasSuffix(reminder, "🎁 Your points pay for a cookie: ask at the register.") {
		t.Fatalf("the reminder:\n%s", anna.Transcript())
	}
}
