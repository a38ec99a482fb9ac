package flows_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// A customer who asks can always give more: right after joining, before
// any offer, /profile offers every section that applies, each with its
// reward; one completed pays its bonus once; a section that hangs on an
// answer appears once that answer is given.
func TestProfileOffersEverySectionThatApplies(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("basic", "pets"), dogCare)
	anna := join(t, h, 164, "Anna")
	basic := "📝 About you (up to +" + sectionPoints(h, "basic") + " points)"
	pets := "📝 Your pets (up to +" + sectionPoints(h, "pets") + " points)"
	dog := "📝 Your dog (up to +" + sectionPoints(h, "dog_care") + " points)"

	anna.Note("nothing was offered yet: /profile offers what applies").Send("/profile")
	first := anna.Last()
	if got := first.Buttons(); !slices.Equal(got, []string{basic, pets, "✏️ Name", "📞 Phone"}) {
		t.Fatalf("/profile of a new member offers %q, want the basic and pets sections with their rewards, then the name and phone", got)
	}
	petsData := buttonData(t, first, pets)
	anna.Tap(pets).
		Tap("Yes").
		Tap(optionText(h, "pets", "species", "dog")).
		Send("Rex").
		Tap("Skip").
		Tap("✓ That's all")
	// has_pet 10 + pets 20 + the section bonus 40.
	if got := points(t, h, "bonus"); got != 70 {
		t.Fatalf("bonus points %d after completing the pets section, want 70\n%s", got, anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM section_offers WHERE section = 'pets' AND completed_at IS NOT NULL`); n != 1 {
		t.Fatal("starting the section from /profile did not record the offer and its completion")
	}

	anna.Note("a pet owner now: the dog section applies; pets is done").Send("/profile")
	if got := anna.Last().Buttons(); !slices.Contains(got, basic) || !slices.Contains(got, dog) || slices.Contains(got, pets) {
		t.Fatalf("/profile after the pets section offers %q", got)
	}
	if !strings.Contains(anna.Last().Text, "Your pets:") {
		t.Fatalf("/profile does not show the pets answers:\n%s", anna.Last().Text)
	}
	anna.Note("the pets button again: done already, no second bonus").
		Callback(first.ID, petsData, "the first /profile's pets button, from a view before it became the questions")
	if got := points(t, h, "bonus"); got != 70 {
		t.Fatalf("bonus points %d after tapping the section again, want 70", got)
	}
	bottest.Golden(t, "profile_pull", anna.Transcript())
}

// Offers pushed to the customer hold only sections that apply: a button
// that would be refused is not sent.
func TestOfferSkipsSectionsThatDoNotApply(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("pets"), dogCare)
	anna := join(t, h, 165, "Anna")
	cust, _ := customer(t, h, 165)
	offer := func(section string) {
		t.Helper()
		if err := h.DB.Update(context.Background(), func(tx domain.Tx) error {
			return h.Engine.OfferSection(context.Background(), tx, cust.ID, section)
		}); err != nil {
			t.Fatal(err)
		}
		h.Bot.Sender().Kick()
		anna.Sync()
	}
	before := len(anna.U.Messages())
	offer("dog_care")
	if n := len(anna.U.Messages()); n != before || countRows(t, h, `SELECT count(*) FROM section_offers`) != 0 {
		t.Fatalf("the dog section was offered to someone who has not said they have a pet:\n%s", anna.Transcript())
	}
	offer("pets")
	anna.Tap("📝 Your pets (up to +" + sectionPoints(h, "pets") + " points)").Tap("Yes").Tap("Later")
	offer("dog_care")
	if b := anna.Last().Buttons(); len(b) != 1 || b[0] != "📝 Your dog (up to +"+sectionPoints(h, "dog_care")+" points)" {
		t.Fatalf("a pet owner is not offered the dog section: %q", b)
	}
}
