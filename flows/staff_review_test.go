package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestManagerCannotCorrectOwnCard: a manager who is also a customer finds
// their own card with /customer and tries to add points to it by hand:
// refused, as a checkout of one's own card is ("Ask a colleague"); the
// balance stays.
func TestManagerCannotCorrectOwnCard(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	join(t, h, 902, "Mila")
	_, card := customer(t, h, 902)
	start := card.Balance

	manager.Send("/customer " + card.Number).Tap("± Points")
	if got := manager.Last().Text; got != "You cannot correct the points of your own card. Ask a colleague." {
		t.Errorf("± Points on her own card: %q", got)
	}
	manager.Send("5000").Send("a bonus for me")
	if _, c := customer(t, h, 902); c.Balance != start || countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'adjust'`) != 0 {
		t.Fatalf("the manager added %d points to her own card:\n%s", c.Balance-start, manager.Transcript())
	}
}

// TestOwnerOpeningACashierLinkLeavesItForTheCashier: the owner makes a
// cashier link and opens it herself to see that it works (or a manager
// taps it in the group chat): she stays owner, and the link still works
// for the cashier it was made for.
func TestOwnerOpeningACashierLinkLeavesItForTheCashier(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff").Tap("➕ Invite a cashier").Tap("Central")
	link := linkRe.FindStringSubmatch(owner.Last().Caption)[1]
	owner.Send("/start " + link)
	if got := lastTexts(owner, 3); strings.Contains(got, "You are now a owner") || strings.Contains(got, "Welcome to the team") {
		t.Errorf("the owner opening her own cashier link was welcomed to the team:\n%s", got)
	}
	boris := h.Chat(901, "Boris", "en")
	boris.Send("/start " + link)
	if !strings.Contains(lastTexts(boris, 2), "Welcome to the team") {
		t.Fatalf("the cashier's link, opened by the owner first:\n%s", boris.Transcript())
	}
}

// TestCashierRevokedTwiceIsToldOnce: the owner and the manager both open
// "Revoke Boris?"; the owner confirms first. The manager's Yes then
// revokes nobody: she hears that it is done already, not "revoked" as if
// she did it, and Boris is not told a second time.
func TestCashierRevokedTwiceIsToldOnce(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	boris := hire(t, h, owner, "cashier", 901, "Boris")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Boris")
	manager.Send("/staff").Tap("👥 Staff list").Tap("Revoke Boris")
	owner.Tap("Yes, revoke")
	manager.Tap("Yes, revoke")
	boris.Sync()
	if n := strings.Count(boris.Transcript(), "Your staff access to this loyalty program has been revoked."); n != 1 {
		t.Errorf("Boris was told %d times:\n%s", n, boris.Transcript())
	}
	if got := manager.Last().Text; got != "Boris had no staff access any more: it was revoked already." {
		t.Errorf("the manager's late Yes: %q", got)
	}
}

// TestRevokedCashierWithoutACardIsNotPromisedOne: a cashier who never
// joined the program is told the access is revoked, not that "your own
// loyalty card still works"; one who has a card is still told it does.
func TestRevokedCashierWithoutACardIsNotPromisedOne(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	boris := hire(t, h, owner, "cashier", 901, "Boris")
	vera := hire(t, h, owner, "cashier", 903, "Vera")
	join(t, h, 903, "Vera")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Boris").Tap("Yes, revoke")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Vera").Tap("Yes, revoke")
	boris.Sync()
	vera.Sync()
	if got := lastTexts(boris, 2); !strings.Contains(got, "Your staff access to this loyalty program has been revoked.") ||
		strings.Contains(got, "loyalty card still works") {
		t.Errorf("Boris, who has no card:\n%s", got)
	}
	if got := lastTexts(vera, 2); !strings.Contains(got, "has been revoked. Your own loyalty card still works.") {
		t.Errorf("Vera, a member:\n%s", got)
	}
}
