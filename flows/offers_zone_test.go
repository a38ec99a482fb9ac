package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestOffersTellEveryStorePromotionAtTheMembersClock: an all-stores
// promotion the chain's owner starts until 20:00 Moscow (Central's,
// the first store's, clock) runs at River (Tashkent, two hours ahead)
// until 22:00 River's time: River's member reads that in /offers, as a
// manager at River reads it in /promo, not Moscow's 20:00.
func TestOffersTellEveryStorePromotionAtTheMembersClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en") // Sunday 22 November, 15:00 in Moscow, 17:00 in Tashkent
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("All stores").Tap("▶ Now").Send("20:00").
		Send("Evening everywhere").Tap("🔥 Start")
	if got := owner.Last().Text; !strings.HasPrefix(got, "🔥 Started: Evening everywhere, points ×2 at all stores until 20:00.") {
		t.Fatalf("started:\n%s", owner.Transcript())
	}
	anna := joinVia(t, h, 151, "Anna", "s_river")
	anna.Send("/offers")
	if got := anna.Last().Text; !strings.Contains(got, "Evening everywhere: points ×2 at all stores, now until 22:00") {
		t.Errorf("River's member's /offers tells another store's clock (the promotion runs at River until 22:00 Tashkent):\n%s", got)
	}
	boris := h.Chat(101, "Boris", "en")
	boris.Send("/start s_central").Tap("✅ I agree").ShareContact("+79990000101").Tap("Boris").Tap("No, thanks")
	boris.Send("/offers")
	if got := boris.Last().Text; !strings.Contains(got, "Evening everywhere: points ×2 at all stores, now until 20:00") {
		t.Errorf("Central's member's /offers:\n%s", got)
	}
}

// TestAnnouncementOfEveryStorePromotionAtTheMembersClock: the members
// told of an all-stores promotion until 20:00 Moscow read the end at
// every store's clock: River's (Tashkent) member reads 22:00 at River,
// not Moscow's 20:00 alone.
func TestAnnouncementOfEveryStorePromotionAtTheMembersClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en") // Sunday 22 November, 15:00 in Moscow, 17:00 in Tashkent
	anna := h.Chat(151, "Anna", "en")
	anna.Send("/start s_river").Tap("✅ I agree").ShareContact("+79990000151").Tap("Anna").Tap("Yes, please")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("All stores").Tap("▶ Now").Send("20:00").
		Send("Evening everywhere").Tap("🔥 Start").Tap("📣 Tell the members").Tap("👥 Everyone who agreed to offers").
		Tap("✅ Send to 1 customer")
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "points ×2 at all stores until 20:00 (Central), 22:00 (River).") {
		t.Errorf("River's member is told the end at Moscow's clock (it runs at River until 22:00 Tashkent):\n%s", anna.Transcript())
	}
}

// TestReturnBelowThePromotionsMinimumTakesItsExtraPoints: double points
// "on receipts from 1,000 RUB"; a receipt of 1,000 earns them, and a
// return of 100 RUB at once leaves a receipt of 900, which the
// promotion never multiplies: the card keeps the usual 3 % of 900 (27),
// as a stamp returned below its minimum is taken back, not ×2 of 900.
func TestReturnBelowThePromotionsMinimumTakesItsExtraPoints(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Program.CashierReturns = true })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 923, "Boris")
	anna := join(t, h, 122, "Anna")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("Central").Tap("▶ Now").Tap("2 h (till 17:00)").
		Send("Big receipts").Tap("🧾 Only receipts from…").Send("1000").Tap("🔥 Start")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +60").Tap("✅ Confirm")
	if got := balance(t, h, 122); got != 160 {
		t.Fatalf("balance %d after the doubled purchase, want 160:\n%s", got, cashier.Transcript())
	}
	scan(t, anna, cashier)
	cashier.Tap("↩ Return of items").Tap(cashier.Last().Inline[0][0].Text).Send("100")
	if got := cashier.Last().Text; !strings.Contains(got, "Points: −33 of those it earned") {
		t.Errorf("the preview of the return: %q", got)
	}
	cashier.Tap("✅ Confirm the return")
	if got := balance(t, h, 122); got != 127 { // 100 welcome + 3 % of 900
		t.Errorf("balance %d after a return that leaves 900 RUB of a promotion from 1,000 RUB, want 127:\n%s",
			got, cashier.Transcript())
	}
}

// TestReturnBelowOnePromotionsMinimumKeepsAnotherThatApplies: "×3 from
// 1,000" beat the happy hour's ×2 on a 1,000 receipt (90 points); a
// return of 100 leaves 900, which the happy hour running at the time of
// the purchase doubles: it keeps 54, not the usual 27.
func TestReturnBelowOnePromotionsMinimumKeepsAnotherThatApplies(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withHappyHour, func(b *domain.Business) { b.Program.CashierReturns = true })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 924, "Boris")
	anna := join(t, h, 123, "Anna")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×3").Tap("Central").Tap("▶ Now").Tap("2 h (till 17:00)").
		Send("Big receipts").Tap("🧾 Only receipts from…").Send("1000").Tap("🔥 Start")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +90").Tap("✅ Confirm")
	if got := balance(t, h, 123); got != 190 {
		t.Fatalf("balance %d after the tripled purchase, want 190:\n%s", got, cashier.Transcript())
	}
	h.Clock.Advance(2 * time.Hour) // both promotions are over by the return
	scan(t, anna, cashier)
	cashier.Tap("↩ Return of items").Tap(cashier.Last().Inline[0][0].Text).Send("100")
	if got := cashier.Last().Text; !strings.Contains(got, "Points: −36 of those it earned") {
		t.Errorf("the preview of the return: %q", got)
	}
	cashier.Tap("✅ Confirm the return")
	if got := balance(t, h, 123); got != 154 { // 100 welcome + 2 × 3 % of 900
		t.Errorf("balance %d after a return that leaves 900 RUB under the ×2 of any receipt, want 154:\n%s",
			got, cashier.Transcript())
	}
}

// TestReturnKeepsALivePromotionStoppedSince: the ×2 of any receipt ran
// when Anna bought for 1,000 under "×3 from 1,000" (90 points) and was
// stopped later; a return of 100 leaves 900, which it doubled at the
// time of the purchase: she keeps 54, not the usual 27.
func TestReturnKeepsALivePromotionStoppedSince(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) { b.Owners = []int64{ownerID}; b.Program.CashierReturns = true })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 924, "Boris")
	anna := join(t, h, 123, "Anna")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("Central").Tap("▶ Now").Tap("2 h (till 17:00)").
		Send("Double").Tap("🔥 Start")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×3").Tap("Central").Tap("▶ Now").Tap("2 h (till 17:00)").
		Send("Big receipts").Tap("🧾 Only receipts from…").Send("1000").Tap("🔥 Start")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +90").Tap("✅ Confirm")
	if got := balance(t, h, 123); got != 190 {
		t.Fatalf("balance %d after the tripled purchase, want 190:\n%s", got, cashier.Transcript())
	}
	h.Clock.Advance(10 * time.Minute)
	owner.Send("/promo").Tap("⏹ Stop: Double")
	if got := lastToast(owner); got != "Stopped." {
		t.Fatalf("stopping the ×2: toast %q\n%s", got, owner.Transcript())
	}
	scan(t, anna, cashier)
	cashier.Tap("↩ Return of items").Tap(cashier.Last().Inline[0][0].Text).Send("100")
	if got := cashier.Last().Text; !strings.Contains(got, "Points: −36 of those it earned") {
		t.Errorf("the preview of the return: %q", got)
	}
	cashier.Tap("✅ Confirm the return")
	if got := balance(t, h, 123); got != 154 { // 100 welcome + 2 × 3 % of 900
		t.Errorf("balance %d after a return that leaves 900 RUB under the ×2 stopped since, want 154:\n%s",
			got, cashier.Transcript())
	}
}
