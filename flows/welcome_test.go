package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestHeldWelcomeFollowsTheFirstPurchase: a member who typed their phone
// gets the welcome bonus with their first purchase; when that purchase is
// cancelled (and nothing else stands) the bonus is taken back and held
// again, the customer told, and the purchase rung up again pays it again,
// once. A cancellation while another purchase stands leaves it.
func TestHeldWelcomeFollowsTheFirstPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 951, "Boris")
	bob := h.Chat(152, "Bob", "en")
	bob.Send("/start").Tap("✅ I agree").Send("+79990000152").Tap("Bob").Tap("No, thanks")
	if got := balance(t, h, 152); got != 0 {
		t.Fatalf("a typed phone's balance %d before a purchase, want 0", got)
	}
	buy(t, bob, cashier)
	if got := balance(t, h, 152); got != 130 {
		t.Fatalf("balance %d after the first purchase, want 130 (the welcome bonus with it)", got)
	}
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Bob")).Tap("Yes, cancel it")
	if got := balance(t, h, 152); got != 0 {
		t.Fatalf("balance %d after the first purchase's cancellation, want 0\n%s", got, owner.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM held_welcome WHERE points = 100 AND round = 2`); n != 1 {
		t.Fatal("the welcome bonus is not held again")
	}
	bob.Sync()
	if !strings.Contains(texts(bob), "🎁 With that purchase gone, your welcome bonus is taken back: 100 points. Balance: 0. The bonus comes with your next purchase.") {
		t.Fatalf("Bob was not told:\n%s", bob.Transcript())
	}
	buy(t, bob, cashier) // rung up again
	buy(t, bob, cashier)
	if got := balance(t, h, 152); got != 160 {
		t.Fatalf("balance %d after two purchases, want 160 (one welcome bonus)", got)
	}
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Bob")).Tap("Yes, cancel it")
	if got := balance(t, h, 152); got != 130 {
		t.Fatalf("balance %d after cancelling one of two purchases, want 130 (the welcome bonus kept)", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'welcome'`); n != 3 {
		t.Fatalf("%d welcome rows, want 3: paid, taken back, paid again", n)
	}
	cardsAddUp(t, h, 152)
	bob.Sync()
	bottest.Golden(t, "welcome_held_again", bob.Transcript())
}

// TestHeldWelcomeShowsOnCardAndBalance: a member who typed their phone
// was told the welcome bonus comes with the first purchase; /card,
// /balance and /rewards then read 0 points and must say the bonus
// waits, not leave the member thinking it was lost. Once a purchase credited it, they
// say nothing more of it.
func TestHeldWelcomeShowsOnCardAndBalance(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 951, "Boris")
	bob := h.Chat(153, "Bob", "en")
	bob.Send("/start").Tap("✅ I agree").Send("+79990000153").Tap("Bob").Tap("No, thanks")
	const waits = "🎁 +100 welcome points come with your next purchase."
	bob.Send("/card")
	if photo, ok := bob.LastPhoto(); !ok || !strings.Contains(photo.Caption, waits) {
		t.Fatalf("/card with the welcome bonus held does not say it waits:\n%s", bob.Transcript())
	}
	bob.Send("/balance")
	if got := bob.Last().Text; !strings.Contains(got, "Your balance: 0 points.") || !strings.Contains(got, waits) {
		t.Fatalf("/balance with the welcome bonus held does not say it waits:\n%s", got)
	}
	bob.Send("/rewards")
	if got := bob.Last().Text; !strings.Contains(got, waits) {
		t.Fatalf("/rewards with the welcome bonus held does not say it waits:\n%s", got)
	}
	buy(t, bob, cashier)
	bob.Send("/card")
	if photo, _ := bob.LastPhoto(); strings.Contains(photo.Caption, "come with") {
		t.Fatalf("/card after the bonus was credited still says it waits:\n%s", photo.Caption)
	}
	bob.Send("/balance")
	if got := bob.Last().Text; strings.Contains(got, "come with") || !strings.Contains(got, "Your balance: 130 points.") {
		t.Fatalf("/balance after the bonus was credited:\n%s", got)
	}
}
