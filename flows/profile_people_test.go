package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestDoubleTapOnAPetsKindIsNotAnError: a customer taps "Dog" twice
// before the message shows the next field (the pet's name, typed): the
// second tap reaches a field no button answers. It is a stale tap, not
// "something went wrong", and the name is asked again.
func TestDoubleTapOnAPetsKindIsNotAnError(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("pets"))
	anna := join(t, h, 7003, "Anna")
	anna.Send("/profile").Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").Tap("Yes")
	m := anna.Last()
	dog := buttonData(t, m, optionText(h, "pets", "species", "dog"))
	anna.Tap(optionText(h, "pets", "species", "dog")).
		Callback(m.ID, dog, "Dog again, a double tap")
	if tr := anna.Transcript(); strings.Contains(tr, "went wrong") {
		t.Fatalf("a double tap on the pet's kind is an error:\n%s", tr)
	}
	anna.Send("Rex").Send("01.06.2020").Tap("✓ That's all")
	if got := points(t, h, "bonus"); got != 70 {
		t.Fatalf("bonus points %d after the pets section, want 70:\n%s", got, anna.Transcript())
	}
}

// TestProfileShowsNoEmptySection: Anna told the dog section what her dog
// eats, then changed "do you have a pet?" to No. The dog section's
// answers no longer apply, so /profile does not show its title with
// nothing under it.
func TestProfileShowsNoEmptySection(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withPresets("pets"), dogCare)
	anna := join(t, h, 7004, "Anna")
	anna.Send("/profile").Tap("📝 " + sectionTitle(h, "pets") + " (up to +" + sectionPoints(h, "pets") + " points)").Tap("Yes").Tap("Later")
	anna.Send("/profile").Tap("📝 Your dog (up to +" + sectionPoints(h, "dog_care") + " points)").Send("Bones")
	anna.Send("/profile").Tap("✏️ 1").Tap("No")
	anna.Send("/profile")
	if text := anna.Last().Text; strings.Contains(text, sectionTitle(h, "dog_care")) {
		t.Fatalf("/profile shows the dog section though there is no pet now:\n%s", text)
	}
	anna.Note("a pet again: the dog's answer is back").Tap("✏️ 1").Tap("Yes")
	if text := anna.Last().Text; !strings.Contains(text, "Bones") {
		t.Fatalf("/profile lost the dog's food after a pet again:\n%s", text)
	}
}
