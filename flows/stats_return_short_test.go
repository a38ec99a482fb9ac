package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStatsPointsAddUpAfterAReturnShort: Anna spends every point she has,
// those of her first purchase too, then brings the first purchase back
// whole. The 30 points it earned are to be taken back, but only 26 are
// on her card: the 4 she spent are kept from the refund in money. The
// owner's /stats must still add up: what was issued less what was
// redeemed and expired is what is on the cards (0), not 4 points fewer
// issued than the cards ever held.
func TestStatsPointsAddUpAfterAReturnShort(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	manager := hire(t, h, owner, "manager", 962, "Mila")
	anna := join(t, h, 161, "Anna") // 100 welcome points

	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	h.Clock.Advance(time.Hour)
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("✏️ Pay another number of points").Send("130").Tap("✅ Confirm")
	if got := balance(t, h, 161); got != 26 { // 130 − 130 + 26 earned on the 870 paid
		t.Fatalf("balance %d, want 26:\n%s", got, cashier.Transcript())
	}

	h.Clock.Advance(time.Hour)
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap(buttonWith(t, manager, "15:00")).Tap("All: 1,000 RUB")
	if got := manager.Last().Text; !strings.Contains(got, "Refund in money: 996 RUB") {
		t.Fatalf("the confirmation:\n%s", manager.Transcript())
	}
	manager.Tap("✅ Confirm the return")
	if got := balance(t, h, 161); got != 0 {
		t.Fatalf("balance %d after the return, want 0:\n%s", got, manager.Transcript())
	}

	owner.Send("/stats")
	got := owner.Last().Text
	for _, want := range []string{"Points issued 130 · redeemed 130 (100.0 %) · expired 0", "Points on the cards now: 0,"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the report:\n%s", want, got)
		}
	}
}
