package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestHeldWelcomeTierPromoStampsThenReturns: a member who typed their
// phone makes a first purchase that pays with the held welcome bonus,
// lifts the card to Silver, is doubled by a promotion and earns stamps;
// then part of it comes back, then the rest. Every message, the card,
// its lots and its ledger agree at each step.
func TestHeldWelcomeTierPromoStampsThenReturns(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStamps, func(b *domain.Business) {
		b.Program.CashierReturns = true
		b.Program.Tiers = []domain.Tier{{Name: "Base", EarnBP: 300}, {Name: "Silver", MinSpend: 100000, EarnBP: 500}}
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	bob := h.Chat(162, "Bob", "en")
	bob.Send("/start s_central").Tap("✅ I agree").Send("+79990000162").Tap("Bob").Tap("No, thanks")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("Central").Tap("▶ Now").Tap("2 h (till 17:00)").
		Send("Big receipts").Tap("🧾 Only receipts from…").Send("1000").Tap("🔥 Start")

	scan(t, bob, cashier)
	cashier.Send("1500")
	if got := cashier.Last().Text; !strings.Contains(got, "Up to 100 can be paid with points.") ||
		!strings.Contains(got, "welcome points come with this purchase and can pay for it") {
		t.Fatalf("the choice:\n%s", got)
	}
	cashier.Tap("➖ Pay with points: 100").Tap("☕ +1").Tap("☕ +1").Tap("✅ Confirm")
	if got := cashier.Last().Text; !strings.Contains(got, "+84 / −100 · balance now 84") {
		t.Fatalf("the cashier's receipt:\n%s", got)
	}
	bob.Sync()
	if got := texts(bob); !strings.Contains(got, "You have reached Silver") || !strings.Contains(got, "welcome bonus is here too") {
		t.Fatalf("Bob's message:\n%s", bob.Transcript())
	}
	cardsAddUp(t, h, 162)

	scan(t, bob, cashier)
	cashier.Tap("↩ Return of items").Tap(buttonWith(t, cashier, "1,500 RUB")).Send("600")
	if got := cashier.Last().Text; !strings.Contains(got, "Points: −59 of those it earned, +40 of those paid with it") {
		t.Fatalf("the preview of 600 back (900 stays, under the promotion's 1,000):\n%s", got)
	}
	cashier.Tap("✅ Confirm the return")
	cardsAddUp(t, h, 162)
	if got := balance(t, h, 162); got != 65 {
		t.Fatalf("balance %d after the partial return, want 65", got)
	}
	bob.Send("/card")
	if photo, _ := bob.LastPhoto(); !strings.Contains(photo.Caption, "2 of 3") {
		t.Fatalf("the card after 600 of 1,500 came back: %q", photo.Caption)
	}

	scan(t, bob, cashier)
	cashier.Tap("↩ Return of items").Tap(buttonWith(t, cashier, "returned 600"))
	cashier.Tap(buttonWith(t, cashier, "All")).Tap("✅ Confirm the return")
	if got := cashier.Last().Text; !strings.Contains(got, "Points: −25 / +60 · balance now 0") ||
		!strings.Contains(got, "🎁 Welcome bonus taken back: −100, it comes with the next purchase") {
		t.Errorf("the cashier's full return does not add up (65 − 25 + 60 is 100, not 0):\n%s", got)
	}
	cardsAddUp(t, h, 162)
	cashier.Send("/today")
	if got := cashier.Last().Text; !strings.Contains(got, "(returned 1,500 RUB)") || strings.Contains(got, "(cancelled)") {
		t.Errorf("/today after the full return:\n%s", got)
	}
	if got := balance(t, h, 162); got != 0 {
		t.Errorf("balance %d after the full return, want 0 (the welcome bonus held again)", got)
	}
	if n := countRows(t, h, `SELECT coalesce(sum(points), 0) FROM held_welcome`); n != 100 {
		t.Errorf("%d welcome points held after the full return, want 100", n)
	}
}
