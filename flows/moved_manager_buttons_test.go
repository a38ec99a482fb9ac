package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestMovedManagersOldCustomerButtonsTellNothing: Mila, a manager of
// Central, opened Anna's card (/customer) and the recent prizes, then
// moved to River. Anna never bought at River: the old buttons under her
// card (± Points, Add a note, New Telegram account, Write to Anna) and
// the old Cancel of her prize name neither her nor her balance, and
// change nothing, as /customer and an old Cancel of a purchase answer a
// River manager about a Central customer.
func TestMovedManagersOldCustomerButtonsTellNothing(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStamps)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 941, "Boris")
	manager := hire(t, h, owner, "manager", 942, "Mila")
	anna := join(t, h, 141, "Annabel")
	for _, rubles := range []int{200, 300, 400} {
		buyFor(t, anna, cashier, rubles)
	}
	scan(t, anna, cashier)
	cashier.Tap("🎁 a free latte · 3 stamps").Tap("✅ Give the prize")
	_, card := customer(t, h, 141)

	manager.Send("/staff").Tap("🧾 Recent purchases")
	if !strings.Contains(manager.Last().Text, "Prizes of the last 24 hours:") {
		t.Fatalf("no recent prizes:\n%s", manager.Transcript())
	}
	prizes, prize := manager.Last().ID, buttonWith(t, manager, "a free latte")
	manager.Send("/customer " + card.Number)
	if !strings.Contains(manager.Last().Text, "Annabel") {
		t.Fatalf("Central's manager does not read Central's customer:\n%s", manager.Transcript())
	}
	cardMsg := manager.Last().ID

	hireAt(t, h, owner, "manager", "River", 942, "Mila")
	manager.Send("/customer " + card.Number)
	if strings.Contains(manager.Last().Text, "Annabel") {
		t.Fatalf("the moved manager still reads Central's customer by /customer:\n%s", manager.Transcript())
	}
	for _, label := range []string{prize, "± Points", "🗒 Add a note", "📲 New Telegram account", "✉️ Write to Annabel"} {
		before := len(manager.Transcript())
		manager.TapOld(map[bool]int{true: prizes, false: cardMsg}[label == prize], label)
		if label == "🗒 Add a note" || label == "± Points" {
			manager.Send("50")
		}
		var tail string
		for _, line := range strings.SplitAfter(manager.Transcript()[before:], "\n") {
			if !strings.HasPrefix(line, "> ") { // what the bot said, not the taps
				tail += line
			}
		}
		if strings.Contains(tail, "Annabel") || strings.Contains(tail, "Correct") ||
			strings.Contains(tail, "Cancel the prize") {
			t.Errorf("a manager moved to River, tapping %q under Central's customer:\n%s", label, tail)
		}
	}
	if n := countRows(t, h, `SELECT count(*) FROM staff_notes`); n != 0 {
		t.Errorf("the moved manager wrote %d notes about Central's customer", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM prizes_given WHERE cancelled_at IS NOT NULL`); n != 0 {
		t.Errorf("%d prizes cancelled", n)
	}
}
