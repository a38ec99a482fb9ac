package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestBirthdayNotGreetedInTheYearOfBirth: a member who types today's date
// as her birthday (this year's, a slip or a try for the gift) is not
// greeted with "Happy birthday" and 200 points on the day she was "born",
// as a child's birthday is not greeted in its year of birth either.
func TestBirthdayNotGreetedInTheYearOfBirth(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("basic"), withNudges)
	anna := joinConsenting(t, h, 5130, "Anna")
	anna.Send("/profile").Tap("📝 About you (up to +105 points)").Send("22.11.2026") // 15:00 in Moscow on 22 November 2026
	runNudges(t, h)
	if n := got(anna.Sync(), "Happy birthday"); n != 0 || nudgeRows(t, h, "birthday", "sent") != 0 {
		t.Fatalf("greeted on the day of birth:\n%s", anna.Transcript())
	}
}

// TestBirthdayBadgeNotInTheYearOfBirth: a member who types today's date
// as her birthday (this year's) is not greeted, and a purchase that day
// earns no birthday visit badge either: the day she was "born" is no
// birthday, for the badge as for the greeting.
func TestBirthdayBadgeNotInTheYearOfBirth(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, withBirthdayProfile, withNudges)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	anna.Send("/profile")
	anna.Tap(anna.Last().Buttons()[0]).Send("22.11.2026") // today, 22 November 2026 in Moscow
	buyFor(t, anna, cashier, 500)
	anna.Sync()
	if strings.Contains(texts(anna), "Birthday visit") {
		t.Fatalf("a purchase on the day of birth earned the birthday visit badge:\n%s", anna.Transcript())
	}
}
