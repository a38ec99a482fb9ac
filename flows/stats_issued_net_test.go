package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStatsIssuedNetsABonusTakenBack: a cashier who cancels a purchase
// to ring it up again moves a typed phone's welcome bonus off the card
// and back on; the card holds one bonus, and /stats must say one bonus
// was issued, not two: issued − redeemed − expired is what is on the
// cards.
func TestStatsIssuedNetsABonusTakenBack(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 951, "Boris")
	bob := h.Chat(152, "Bob", "en")
	bob.Send("/start").Tap("✅ I agree").Send("+79990000152").Tap("Bob").Tap("No, thanks")
	buy(t, bob, cashier) // +30, and the held welcome bonus +100
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Bob")).Tap("Yes, cancel it")
	buy(t, bob, cashier) // rung up again: +30, +100
	if got := balance(t, h, 152); got != 130 {
		t.Fatalf("balance %d, want 130", got)
	}
	owner.Send("/stats")
	got := owner.Last().Text
	for _, want := range []string{"Points issued 130 ·", "Points on the cards now: 130,"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the report:\n%s", want, got)
		}
	}
}
