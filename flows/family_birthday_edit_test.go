package flows_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestPetBirthdayMovedAfterItsGreetingIsNotGreetedAgain: Vera has two
// dogs, Rex (23 November) and Bim (5 March, already past this year when
// she joined). Greeted for Rex on 23 November, she then "corrects" Rex's
// birthday to a week later: no second "Happy birthday, Rex!" and no
// second 50 points that year.
func TestPetBirthdayMovedAfterItsGreetingIsNotGreetedAgain(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("pets"), withNudges)
	vera := joinConsenting(t, h, 103, "Vera")
	vera.Send("/profile").Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").
		Tap("Yes").Tap(optionText(h, "pets", "species", "dog")).Send("Rex").Send("23.11.2021").
		Tap("➕ Add another").Tap(optionText(h, "pets", "species", "dog")).Send("Bim").Send("05.03.2019").Tap("✓ That's all")
	h.Clock.Advance(19 * time.Hour) // 23 November, 10:00 in Moscow: Rex's birthday
	runNudges(t, h)
	if n := got(vera.Sync(), "Happy birthday, Rex!"); n != 1 {
		t.Fatalf("Rex greeted %d times on his birthday:\n%s", n, vera.Transcript())
	}
	vera.Note("she moves Rex's birthday a week on").Send("/profile").Tap("✏️ 2").
		Tap(optionText(h, "pets", "species", "dog")).Send("Rex").Send("30.11.2021").
		Tap("➕ Add another").Tap(optionText(h, "pets", "species", "dog")).Send("Bim").Send("05.03.2019").Tap("✓ That's all")
	h.Clock.Advance(7 * 24 * time.Hour) // 30 November, 10:00 in Moscow, past the frequency cap
	runNudges(t, h)
	if n := got(vera.Sync(), "Happy birthday, Rex!"); n != 1 || nudgeRows(t, h, "pet_birthday", "sent") != 1 {
		t.Fatalf("Rex greeted %d times in a year, his birthday moved after the greeting:\n%s", n, vera.Transcript())
	}
}

// TestPetBirthdayMovedAfterAnotherPetAddedLateIsNotGreetedAgain: Vera
// tells of Rex (23 November) alone and is greeted for him. Three days
// on she adds Bim, whose birthday (24 November) passed before she told
// of him, and moves Rex's birthday to 5 December: Bim's day that went
// by ungreeted leaves no room for a second "Happy birthday, Rex!" that
// year.
func TestPetBirthdayMovedAfterAnotherPetAddedLateIsNotGreetedAgain(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("pets"), withNudges)
	vera := joinConsenting(t, h, 103, "Vera")
	vera.Send("/profile").Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").
		Tap("Yes").Tap(optionText(h, "pets", "species", "dog")).Send("Rex").Send("23.11.2021").Tap("✓ That's all")
	h.Clock.Advance(19 * time.Hour) // 23 November, 10:00 in Moscow: Rex's birthday
	runNudges(t, h)
	if n := got(vera.Sync(), "Happy birthday, Rex!"); n != 1 {
		t.Fatalf("Rex greeted %d times on his birthday:\n%s", n, vera.Transcript())
	}
	h.Clock.Advance(3 * 24 * time.Hour) // 26 November
	vera.Note("she adds Bim, born on 24 November, and moves Rex's birthday").Send("/profile").Tap("✏️ 2").
		Tap(optionText(h, "pets", "species", "dog")).Send("Rex").Send("05.12.2021").
		Tap("➕ Add another").Tap(optionText(h, "pets", "species", "dog")).Send("Bim").Send("24.11.2019").Tap("✓ That's all")
	runNudges(t, h)
	h.Clock.Advance(9 * 24 * time.Hour) // 5 December, 10:00 in Moscow
	runNudges(t, h)
	if n := got(vera.Sync(), "Happy birthday, Rex!"); n != 1 || nudgeRows(t, h, "pet_birthday", "sent") != 1 {
		t.Fatalf("Rex greeted %d times in a year, his birthday moved after the greeting:\n%s", n, vera.Transcript())
	}
}
