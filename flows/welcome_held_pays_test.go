package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestHeldWelcomePaysTheFirstPurchase: a member who joins at the
// register typing their phone (the bonus held for the first purchase)
// can spend the welcome bonus on that very purchase, as the product
// promises of joining at a register: the cashier is offered it, the
// purchase pays with it, and the numbers add up; cancelled, the bonus
// is held again whole.
func TestHeldWelcomePaysTheFirstPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 951, "Boris")
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start s_central").Tap("✅ I agree").Send("+79990000101").Tap("Anna").Tap("No, thanks")
	scan(t, anna, cashier)
	cashier.Send("1000")
	if got := cashier.Last().Text; !strings.Contains(got, "Up to 100 can be paid with points.") {
		t.Fatalf("the cashier is not offered the welcome bonus on the first purchase:\n%s", cashier.Transcript())
	}
	cashier.Tap("➖ Pay with points: 100").Tap("✅ Confirm")
	if got := balance(t, h, 101); got != 27 {
		t.Fatalf("balance %d after paying 100 welcome points of 1000 ₽ and earning 3 %% of 900 ₽, want 27\n%s", got, cashier.Transcript())
	}
	if !strings.Contains(cashier.Last().Text, "Points: +27 / −100 · balance now 27") {
		t.Fatalf("the cashier's receipt: %q", cashier.Last().Text)
	}
	anna.Sync()
	if !strings.Contains(texts(anna), "Balance: 27") {
		t.Fatalf("Anna was not told her balance:\n%s", anna.Transcript())
	}
	cardsAddUp(t, h, 101)
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Anna")).Tap("Yes, cancel it")
	if got := balance(t, h, 101); got != 0 {
		t.Fatalf("balance %d after the cancellation, want 0", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM held_welcome WHERE points = 100 AND round = 2`); n != 1 {
		t.Fatal("the welcome bonus is not held again whole")
	}
	cardsAddUp(t, h, 101)
}
