package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestLeapDayBirthdayBadgeOnTheDayOfTheGreeting: born on 29 February, a
// member is greeted with the birthday gift on 1 March of a common year;
// buying that day with it earns the birthday visit badge, the day the
// bot itself calls her birthday, not the 28th before it.
func TestLeapDayBirthdayBadgeOnTheDayOfTheGreeting(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, withBirthdayProfile, withNudges)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	anna.Send("/profile")
	anna.Tap(anna.Last().Buttons()[0]).Send("29.02.2000")
	h.Clock.Advance(time.Date(2027, 3, 1, 7, 0, 0, 0, time.UTC).Sub(h.Clock.Now())) // 1 March 2027, 10:00 in Moscow
	runNudges(t, h)
	if got(anna.Sync(), "Happy birthday, Anna!") != 1 {
		t.Fatalf("no birthday greeting on 1 March:\n%s", anna.Transcript())
	}
	buyFor(t, anna, cashier, 500)
	anna.Sync()
	if !strings.Contains(texts(anna), "🎂 New badge: Birthday visit!") {
		t.Fatalf("a purchase on the day she was greeted for her birthday earned no birthday badge:\n%s", anna.Transcript())
	}
}

// TestLeapDayBirthdayBadgeHintNamesTheDayItCounts: born on 29 February,
// a member asks /badges in 2026; her next birthday (2027) has no 29
// February and the badge counts on 1 March, so the hint names 01.03, not
// a day that does not come (she would buy on the 28th and earn nothing).
func TestLeapDayBirthdayBadgeHintNamesTheDayItCounts(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, withBirthdayProfile, withNudges)
	anna := joinConsenting(t, h, 101, "Anna")
	anna.Send("/profile")
	anna.Tap(anna.Last().Buttons()[0]).Send("29.02.2000")
	anna.Send("/badges")
	if board := anna.Last().Text; !strings.Contains(board, "come on your birthday, 01.03") {
		t.Fatalf("/badges does not name 1 March, the day the badge counts in 2027:\n%s", board)
	}
}
