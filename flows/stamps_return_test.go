package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestReturnOfMostOfAPurchaseTakesItsStamps: three coffees (450 RUB)
// earn three stamps; two of them are brought back (300 RUB returned, 150
// RUB stays, still over the minimum). The points of the two coffees go
// back, and so must their stamps: the card is left with one stamp, not
// three that pay for a free latte.
func TestReturnOfMostOfAPurchaseTakesItsStamps(t *testing.T) {
	t.Parallel()
	_, anna, _, manager := threeCoffees(t)
	anna.Sync()
	if !strings.Contains(texts(anna), "+3 stamps · 🎁 Your stamps (3 stamps) pay for a free latte") {
		t.Fatalf("three coffees:\n%s", anna.Transcript())
	}
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap(buttonWith(t, manager, "450 RUB")).Send("300").Tap("✅ Confirm the return")
	if !strings.Contains(manager.Transcript(), "↩ Return recorded") {
		t.Fatalf("the return of two coffees:\n%s", manager.Transcript())
	}
	anna.Send("/card")
	if photo, _ := anna.LastPhoto(); !strings.Contains(photo.Caption, "☕ Stamp card: 1 of 3 to a free latte.") {
		t.Fatalf("after two of three coffees came back, the card says: %q", photo.Caption)
	}
}

// TestReturnOfStampsThatPaidAPrizeIsRefused: three coffees' stamps paid
// a free latte; two of the coffees brought back would take two stamps
// the latte already used: the return is refused as a whole one is, and
// the card stays as it was.
func TestReturnOfStampsThatPaidAPrizeIsRefused(t *testing.T) {
	t.Parallel()
	h, anna, cashier, manager := threeCoffees(t)
	scan(t, anna, cashier)
	cashier.Tap("🎁 a free latte · 3 stamps").Tap("✅ Give the prize")
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap(buttonWith(t, manager, "450 RUB")).Send("300").Tap("✅ Confirm the return")
	if !strings.Contains(manager.Transcript(), "cancel the prize first") {
		t.Fatalf("a return taking two stamps the latte used:\n%s", manager.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchase_returns`); n != 0 {
		t.Fatalf("%d returns recorded", n)
	}
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap(buttonWith(t, manager, "450 RUB")).Send("100").Tap("✅ Confirm the return")
	if !strings.Contains(manager.Transcript(), "↩ Return recorded") {
		t.Fatalf("a return leaving all three stamps (350 of 450 stays):\n%s", manager.Transcript())
	}
}

// TestReturnsInStepsTakeTheStampsOfOneReturn: two of three coffees of a
// 450 ₽ receipt come back as three returns of 100 ₽ instead of one of
// 300 ₽. The same share of the receipt stays, so the same stamps stay:
// as the points, whose returns are shares of the whole receipt, each
// step's rounding must not keep a stamp a single return takes.
func TestReturnsInStepsTakeTheStampsOfOneReturn(t *testing.T) {
	t.Parallel()
	h, anna, _, manager := threeCoffees(t)
	for range 3 {
		scan(t, anna, manager)
		manager.Tap("↩ Return of items").Tap(buttonWith(t, manager, "450 RUB")).Send("100").Tap("✅ Confirm the return")
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchase_returns`); n != 3 {
		t.Fatalf("%d returns recorded, want 3:\n%s", n, manager.Transcript())
	}
	anna.Send("/card")
	if photo, _ := anna.LastPhoto(); !strings.Contains(photo.Caption, "☕ Stamp card: 1 of 3 to a free latte.") {
		t.Fatalf("after 300 of 450 RUB came back in three returns, the card says: %q (one return of 300 leaves 1 stamp)", photo.Caption)
	}
}

// threeCoffees is a stamp card shop where Anna bought three coffees
// (450 RUB, three stamps) from the cashier Boris; Mila manages.
func threeCoffees(t *testing.T) (h *bottest.Harness, anna, cashier, manager *bottest.Chat) {
	t.Helper()
	h = bottest.New(t, withOwner, withStamps)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier = hire(t, h, owner, "cashier", 981, "Boris")
	manager = hire(t, h, owner, "manager", 982, "Mila")
	anna = join(t, h, 181, "Anna")
	scan(t, anna, cashier)
	cashier.Send("450").Tap("➕ Accrue +13").Tap("☕ +1").Tap("☕ +1").Tap("✅ Confirm")
	return h, anna, cashier, manager
}
