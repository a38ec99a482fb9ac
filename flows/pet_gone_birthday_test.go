package flows_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestNoBirthdayGreetingForAPetNoLongerThere: a member told of her dog
// Rex, then answered "no" to "do you have a pet?" (the dog is gone): the
// profile no longer shows Rex, and on his birthday no "Happy birthday,
// Rex!" comes either.
func TestNoBirthdayGreetingForAPetNoLongerThere(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("pets"), withNudges)
	vera := joinConsenting(t, h, 103, "Vera")
	vera.Send("/profile").Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").
		Tap("Yes").Tap(optionText(h, "pets", "species", "dog")).Send("Rex").Send("23.11.2021").Tap("✓ That's all").
		Note("the dog is gone").
		Send("/profile").Tap("✏️ 1").Tap("No")
	h.Clock.Advance(19 * time.Hour) // 23 November, 10:00 in Moscow: Rex's birthday
	runNudges(t, h)
	if n := got(vera.Sync(), "Rex"); n != 0 || nudgeRows(t, h, "pet_birthday", "sent") != 0 {
		t.Fatalf("greeted for the birthday of a pet she no longer has:\n%s", vera.Transcript())
	}
}
