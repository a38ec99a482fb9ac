package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestGoodwillRefusedAfterTheRatingWasRaised: Anna taps 1⭐ by mistake and
// at once puts it right with 5⭐. The owner's alert of the low rating is
// still in her chat with "Give 100 points": a tap must not give points
// "to make up for your visit" for a visit now rated five stars; the owner
// is told the rating changed.
func TestGoodwillRefusedAfterTheRatingWasRaised(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("1⭐").Tap("Skip")
	owner.Sync()
	if !strings.Contains(owner.Last().Text, "Low rating ★☆☆☆☆ from Anna") {
		t.Fatalf("no alert of the 1-star rating:\n%s", owner.Last().Text)
	}
	anna.Note("a minute later she puts it right").Send("/feedback").Tap("5⭐").Tap("Skip")
	before := balance(t, h, 101)
	owner.Sync().Tap("🎁 Give 100 points")
	if got := balance(t, h, 101); got != before {
		t.Fatalf("balance %d after goodwill on a rating raised to 5 stars, want %d:\n%s", got, before, owner.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'goodwill'`); n != 0 {
		t.Fatalf("%d goodwill rows for a 5-star rating", n)
	}
	if !strings.Contains(owner.Last().Text, "★★★★★") {
		t.Fatalf("the owner is not told the rating is now 5 stars: %q", owner.Last().Text)
	}
}
