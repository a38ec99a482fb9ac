package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestHeldWelcomeCashierSeesItCome: a member who typed their phone has
// the welcome bonus held for the first purchase. Found by phone (no
// paying with points) the cashier reads "Balance: 0" and then "+30 / −0
// · balance now 130": the 100 welcome points the purchase credited must
// be named, or the numbers do not add up; the same when the card pays
// with them ("+27 / −100 · balance now 27" from a balance of 0).
func TestHeldWelcomeCashierSeesItCome(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 951, "Boris")
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start s_central").Tap("✅ I agree").Send("+79990000101").Tap("Anna").Tap("No, thanks")
	cashier.Send("/scan").Send("+79990000101").Send("1000")
	if got := cashier.Last().Text; !strings.Contains(got, "🎁 +100 welcome points come with this purchase.") {
		t.Errorf("found by phone, the cashier is not told the welcome bonus comes:\n%s", got)
	}
	cashier.Tap("➕ Accrue +30").Tap("✅ Confirm")
	if got := balance(t, h, 101); got != 130 {
		t.Fatalf("balance %d, want 130", got)
	}
	if got := cashier.Last().Text; !strings.Contains(got, "Points: +30 / −0 · balance now 130") || !strings.Contains(got, "🎁 Welcome bonus: +100") {
		t.Errorf("the cashier's receipt by phone does not add up:\n%s", got)
	}

	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start s_central").Tap("✅ I agree").Send("+79990000102").Tap("Bob").Tap("No, thanks")
	scan(t, bob, cashier)
	cashier.Send("1000").Tap("➖ Pay with points: 100").Tap("✅ Confirm")
	if got := cashier.Last().Text; !strings.Contains(got, "Points: +27 / −100 · balance now 27") || !strings.Contains(got, "🎁 Welcome bonus: +100") {
		t.Errorf("the cashier's receipt paying the welcome bonus does not add up:\n%s", got)
	}
	cardsAddUp(t, h, 101, 102)
}

// TestHeldWelcomeNotPromisedOnATinyReceipt: on a receipt too small for
// any point (0.01 ₽: 30 % of it is no point) the cashier reads "Up to 0
// can be paid with points" and no pay button; the held welcome bonus
// must not be said to "pay for it" then. It still comes with the
// purchase, and the line says so.
func TestHeldWelcomeNotPromisedOnATinyReceipt(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 951, "Boris")
	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start s_central").Tap("✅ I agree").Send("+79990000102").Tap("Bob").Tap("No, thanks")
	scan(t, bob, cashier)
	cashier.Send("0.01")
	got := cashier.Last().Text
	if !strings.Contains(got, "Up to 0 can be paid with points.") {
		t.Fatalf("the choice on 0.01:\n%s", cashier.Transcript())
	}
	if strings.Contains(got, "can pay for it") || !strings.Contains(got, "🎁 +100 welcome points come with this purchase.") {
		t.Errorf("the choice on 0.01 promises the welcome bonus pays for it:\n%s", got)
	}
	cashier.Tap("➕ Accrue +0").Tap("✅ Confirm")
	if got := balance(t, h, 102); got != 100 {
		t.Fatalf("balance %d after a 0.01 first purchase, want 100", got)
	}
	cardsAddUp(t, h, 102)
}

// TestHeldWelcomeTwoCashiersAtOnce: two cashiers have the same first
// purchase's card open, both offered the held welcome bonus; the first
// pays with it, and the second's "pay with points: 100" is refused
// with "the balance changed", then offered what is left.
func TestHeldWelcomeTwoCashiersAtOnce(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	boris := hire(t, h, owner, "cashier", 951, "Boris")
	vera := hire(t, h, owner, "cashier", 952, "Vera")
	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start s_central").Tap("✅ I agree").Send("+79990000102").Tap("Bob").Tap("No, thanks")
	scan(t, bob, boris)
	scan(t, bob, vera)
	boris.Send("1000").Tap("➖ Pay with points: 100")
	vera.Send("1000").Tap("➖ Pay with points: 100").Tap("✅ Confirm")
	boris.Tap("✅ Confirm")
	if got := lastTexts(boris, 2); !strings.Contains(got, "The customer's balance changed") || !strings.Contains(got, "Up to 27 can be paid with points.") {
		t.Fatalf("the second checkout:\n%s", boris.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'welcome'`); n != 1 {
		t.Fatalf("%d welcome rows, want 1", n)
	}
	if got := balance(t, h, 102); got != 27 {
		t.Fatalf("balance %d, want 27", got)
	}
	cardsAddUp(t, h, 102)
}
