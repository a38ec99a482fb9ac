package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestManagerCannotGiveGoodwillToTheirOwnCard: Max, a manager with a
// card of his own, rates his visit 1⭐; the low-rating alert reaches him
// too, as one of the store's managers. Its "Give 100 points" must not
// credit his own card (nobody gives themselves points, as at the
// register and in a correction): he is told to ask a colleague, and the
// owner can still give them.
func TestManagerCannotGiveGoodwillToTheirOwnCard(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	max := hire(t, h, owner, "manager", 963, "Max")
	max.Send("/start").Tap("✅ I agree").ShareContact("+79990000963").Tap("Max").Tap("No, thanks")
	if c, _ := customer(t, h, 963); !c.Member() {
		t.Fatalf("the manager did not join:\n%s", max.Transcript())
	}
	buy(t, max, cashier)
	max.Send("/feedback").Tap("1⭐")
	max.Sync()
	if !strings.Contains(max.Last().Text, "Low rating") {
		t.Fatalf("no alert to the manager:\n%s", max.Transcript())
	}
	before := balance(t, h, 963)
	max.Tap("🎁 Give 100 points")
	if got := balance(t, h, 963); got != before {
		t.Fatalf("the manager gave himself goodwill: balance %d, was %d:\n%s", got, before, max.Transcript())
	}
	if got := max.Last().Text; !strings.Contains(got, "your own card") {
		t.Fatalf("no refusal for his own card:\n%s", max.Transcript())
	}
	owner.Sync()
	owner.Tap("🎁 Give 100 points")
	if got := balance(t, h, 963); got != before+100 {
		t.Fatalf("the owner's goodwill: balance %d, want %d:\n%s", got, before+100, owner.Transcript())
	}
}

// TestManagerCannotCancelAPrizeOfTheirOwnCard: Boris gives Max, a
// manager with a card of his own, a free coffee; Max cannot then cancel
// that prize from /staff → Recent purchases and have its points back:
// nobody gives themselves points. The owner still can.
func TestManagerCannotCancelAPrizeOfTheirOwnCard(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTillPrizes)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	max := hire(t, h, owner, "manager", 963, "Max")
	max.Send("/start").Tap("✅ I agree").ShareContact("+79990000963").Tap("Max").Tap("No, thanks")
	buy(t, max, cashier) // 130
	scan(t, max, cashier)
	cashier.Tap("🎁 a free coffee · 120 points").Tap("✅ Give the prize")
	if got := balance(t, h, 963); got != 10 {
		t.Fatalf("balance %d after the prize, want 10:\n%s", got, cashier.Transcript())
	}
	max.Send("/staff").Tap("🧾 Recent purchases")
	max.Tap("Cancel 15:00 · Max · a free coffee").Tap("Yes, cancel it")
	if got := balance(t, h, 963); got != 10 {
		t.Fatalf("the manager cancelled his own prize: balance %d, want 10:\n%s", got, max.Transcript())
	}
	if got := max.Last().Text; !strings.Contains(got, "your own card") {
		t.Fatalf("no refusal for his own card:\n%s", max.Transcript())
	}
	owner.Send("/staff").Tap("🧾 Recent purchases")
	owner.Tap("Cancel 15:00 · Max · a free coffee").Tap("Yes, cancel it")
	if got := balance(t, h, 963); got != 130 {
		t.Fatalf("the owner's cancel: balance %d, want 130:\n%s", got, owner.Transcript())
	}
}

// TestManagerCannotCancelAPurchaseOfTheirOwnCard: Boris rings up Max's
// 1,000 RUB, Max paying 100 points of it. Max, a manager, cannot then
// cancel that purchase from /staff → Recent purchases and have the 100
// points back for goods he keeps: nobody gives themselves points. He is
// told so at the question, before any "Yes"; the owner still can.
func TestManagerCannotCancelAPurchaseOfTheirOwnCard(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	max := hire(t, h, owner, "manager", 963, "Max")
	max.Send("/start").Tap("✅ I agree").ShareContact("+79990000963").Tap("Max").Tap("No, thanks")
	scan(t, max, cashier)
	cashier.Send("1000").Tap("➖ Pay with points: 100").Tap("✅ Confirm")
	paid := balance(t, h, 963)
	max.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, max, "Max"))
	if got := max.Last().Text; !strings.Contains(got, "your own card") || strings.Contains(buttons(max), "Yes, cancel it") {
		t.Fatalf("the manager was offered to cancel his own purchase:\n%s", max.Transcript())
	}
	if got := balance(t, h, 963); got != paid {
		t.Fatalf("balance %d, was %d:\n%s", got, paid, max.Transcript())
	}
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Max")).Tap("Yes, cancel it")
	if got := balance(t, h, 963); got != 100 {
		t.Fatalf("the owner's cancel: balance %d, want the 100 back:\n%s", got, owner.Transcript())
	}
}
