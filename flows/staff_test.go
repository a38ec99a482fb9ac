package flows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestRevokedManagersInvitesAreVoid: a manager makes invitation links,
// the owner revokes her, and neither she (with the manager link she made
// for herself) nor anyone else (with her cashier link) gets back in. She
// is told in her language, though the business default is another.
func TestRevokedManagersInvitesAreVoid(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.DefaultLanguage = "ru" })
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 940, "Mila")
	link := func(button string) string {
		t.Helper()
		manager.Send("/staff").Tap(button)
		m := linkRe.FindStringSubmatch(manager.Last().Caption)
		if m == nil {
			t.Fatalf("no invite link in %q", manager.Last().Caption)
		}
		return m[1]
	}
	forHerself, forFriend := link("➕ Invite a manager"), link("➕ Invite a cashier")

	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Mila").Tap("Yes, revoke")
	manager.Sync()
	if !strings.Contains(manager.Transcript(), "Your staff access to this loyalty program has been revoked.") {
		t.Errorf("the revoked manager was not told in her language:\n%s", manager.Transcript())
	}
	manager.Send("/start " + forHerself)
	if got := manager.Last().Text; got != "This invitation link is not valid." {
		t.Errorf("the revoked manager's own old link: %q", got)
	}
	friend := h.Chat(941, "Fedor", "en")
	friend.Send("/start " + forFriend)
	if !strings.Contains(lastTexts(friend, 2), "This invitation link is not valid.") {
		t.Errorf("her cashier link opened by a friend:\n%s", friend.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 941`); n != 0 {
		t.Errorf("the friend became staff")
	}
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 940 AND revoked_at IS NULL`); n != 0 {
		t.Errorf("the revoked manager is active again")
	}
	manager.Send("/staff")
	if strings.Contains(manager.Last().Text, "Staff") {
		t.Errorf("the revoked manager has /staff again: %q", manager.Last().Text)
	}
}

// TestInvitationOpenedTwiceByItsOwner: the new cashier taps the link a
// second time (or scans the QR again): they hear they are on the team,
// not that the link was used; anyone else still hears it was used, and
// a revoked cashier's second tap does not bring them back.
func TestInvitationOpenedTwiceByItsOwner(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff").Tap("➕ Invite a cashier").Tap("Central")
	link := linkRe.FindStringSubmatch(owner.Last().Caption)[1]
	boris := h.Chat(901, "Boris", "en")
	boris.Send("/start " + link).Send("/start " + link)
	if got := boris.Last().Text; !strings.HasPrefix(got, "You are on the team already: cashier (Central).") {
		t.Fatalf("the cashier's second tap: %q", got)
	}
	other := h.Chat(902, "Fedor", "en")
	other.Send("/start " + link)
	if !strings.Contains(lastTexts(other, 2), "This invitation link has already been used.") {
		t.Fatalf("someone else's tap:\n%s", other.Transcript())
	}
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Boris").Tap("Yes, revoke")
	boris.Send("/start " + link)
	if got := boris.Last().Text; !strings.Contains(got, "already been used") {
		t.Fatalf("the revoked cashier's tap: %q", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 901 AND revoked_at IS NULL`); n != 0 {
		t.Fatal("the revoked cashier is active again")
	}
}

// TestLongStaffListPages: a chain's staff list comes 20 people a page,
// inside a Telegram message and its 100 buttons, with ◀ ▶ between the
// pages (edited in place), and a Revoke on a later page works.
func TestLongStaffListPages(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/start")
	err := h.DB.Update(context.Background(), func(tx domain.Tx) error {
		for i := range 60 {
			st := &domain.Staff{TelegramID: int64(5000 + i), ChatID: int64(5000 + i), Role: domain.RoleCashier,
				FirstName: fmt.Sprintf("Cashier %02d with a name as long as Telegram allows, nearly", i)}
			if err := tx.SaveStaff(context.Background(), st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	owner.Send("/staff").Tap("👥 Staff list")
	first := owner.Last()
	if !strings.HasPrefix(first.Text, "Staff: (page 1 of 4)") || !strings.Contains(first.Text, "Cashier 00") ||
		strings.Contains(first.Text, "Cashier 19") || len(first.Inline) > 21 {
		t.Fatalf("the first page (%d button rows):\n%s", len(first.Inline), first.Text)
	}
	owner.Tap("Next ▶")
	second := owner.Last()
	if second.ID != first.ID || !strings.HasPrefix(second.Text, "Staff: (page 2 of 4)") || !strings.Contains(second.Text, "Cashier 19") {
		t.Fatalf("the second page, edited in place:\n%s", owner.Transcript())
	}
	owner.Tap("Revoke Cashier 25 with a name as long as Telegram allows, nearly").Tap("Yes, revoke")
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE revoked_at IS NOT NULL AND first_name LIKE 'Cashier 25%'`); n != 1 {
		t.Fatalf("the revoke from page 2:\n%s", owner.Transcript())
	}
}

// TestStaffStartKnowsThem: a plain /start of staff who are no members
// (an owner's first contact, a cashier's client restarted) says first
// that the bot knows them and how to work, then offers a card of their
// own, which they may take; a customer's /start says nothing of staff.
func TestStaffStartKnowsThem(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/start")
	if got := lastTexts(owner, 3); !strings.Contains(got, "You are on the team: owner (all stores).") ||
		!strings.Contains(got, "Do you agree to the processing") {
		t.Fatalf("the owner's first /start:\n%s", owner.Transcript())
	}
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	cashier.Send("/start")
	if got := lastTexts(cashier, 3); !strings.Contains(got, "You are on the team: cashier (Central).") {
		t.Fatalf("the cashier's /start:\n%s", cashier.Transcript())
	}
	cashier.Tap("✅ I agree").ShareContact("+79990000961").Tap("Boris").Tap("No, thanks")
	cashier.Send("/start")
	if got := cashier.Transcript(); strings.Count(got, "You are on the team") != 1 || !strings.Contains(lastTexts(cashier, 2), "Welcome back") {
		t.Fatalf("the cashier, a member now:\n%s", got)
	}
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start")
	if got := anna.Transcript(); strings.Contains(got, "team") {
		t.Fatalf("a customer's /start:\n%s", got)
	}
}

// TestOwnerInvitationSaysAnOwner: the owner invites a second owner (as
// `loyaltybot invite --role owner` does for the first): the link's
// caption, the welcome and the inviter's notice read "an owner", not
// "a owner", as "a manager" and "a cashier" read.
func TestOwnerInvitationSaysAnOwner(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff").Tap("➕ Invite an owner")
	if got := owner.Last().Caption; !strings.HasPrefix(got, "Invitation for an owner (all stores):") {
		t.Errorf("the invitation's caption: %q", got)
	}
	m := linkRe.FindStringSubmatch(owner.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link:\n%s", owner.Transcript())
	}
	emma := h.Chat(950, "Emma", "en")
	emma.Send("/start " + m[1])
	if got := lastTexts(emma, 2); !strings.Contains(got, "Welcome to the team! You are now an owner (all stores).") {
		t.Errorf("the new owner's welcome:\n%s", got)
	}
	owner.Sync()
	if got := owner.Last().Text; !strings.HasPrefix(got, "✅ Emma opened your invitation and is now an owner (all stores).") {
		t.Errorf("the inviter's notice: %q", got)
	}
	manager := hire(t, h, owner, "manager", 951, "Mila")
	if got := lastTexts(manager, 2); !strings.Contains(got, "You are now a manager (Central).") {
		t.Errorf("the manager's welcome:\n%s", got)
	}
}

// TestMovedManagersInvitesAreVoid: a manager of Central makes a cashier
// link, then takes a manager link of River from the owner: the Central
// link she handed out no longer lets anyone in there.
func TestMovedManagersInvitesAreVoid(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 940, "Mila")
	manager.Send("/staff").Tap("➕ Invite a cashier")
	m := linkRe.FindStringSubmatch(manager.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link in %q", manager.Last().Caption)
	}
	hireAt(t, h, owner, "manager", "River", 940, "Mila")
	friend := h.Chat(941, "Fedor", "en")
	friend.Send("/start " + m[1])
	if !strings.Contains(lastTexts(friend, 2), "This invitation link is not valid.") {
		t.Errorf("her Central link after she moved to River:\n%s", friend.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE telegram_id = 941`); n != 0 {
		t.Errorf("the friend became staff")
	}
}

// TestMovedManagersOldCancelButtonTellsNothing: a manager of Central
// lists the recent purchases, then moves to River; a tap on an old
// Cancel under Central's list names no customer and no amount, and
// cancels nothing.
func TestMovedManagersOldCancelButtonTellsNothing(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 940, "Mila")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	manager.Send("/staff").Tap("🧾 Recent purchases")
	list := manager.Last().ID
	var label string
	for _, row := range manager.Last().Inline {
		for _, b := range row {
			if strings.HasPrefix(b.Text, "Cancel") {
				label = b.Text
			}
		}
	}
	if label == "" {
		t.Fatalf("no cancel button:\n%s", manager.Transcript())
	}
	hireAt(t, h, owner, "manager", "River", 940, "Mila")
	before := len(manager.Transcript())
	manager.TapOld(list, label)
	if tail := manager.Transcript()[before:]; strings.Contains(tail, "Cancel the purchase of") || !strings.Contains(tail, "No such purchase in your store.") {
		t.Fatalf("a manager moved to River reads Central's purchase:\n%s", tail)
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE cancelled_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d purchases cancelled", n)
	}
}
