package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStaffMenuGoesOnAfterAnInvite: the owner invites a cashier from
// /staff (through the store picker), then an owner (at once): the /staff
// menu keeps its buttons and they still work, so the owner goes on from
// it (another invitation, the staff list) without typing /staff again.
func TestStaffMenuGoesOnAfterAnInvite(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff")
	menu := owner.Last().ID
	menuButtons := func() []string {
		for _, m := range owner.U.Messages() {
			if m.ID == menu {
				return m.Buttons()
			}
		}
		return nil
	}
	invited := func(role string) {
		t.Helper()
		if got := owner.Last().Caption; !strings.HasPrefix(got, "Invitation for "+role) || linkRe.FindStringSubmatch(got) == nil {
			t.Fatalf("no invitation for %s:\n%s", role, owner.Transcript())
		}
		if !slices.Contains(menuButtons(), "👥 Staff list") {
			t.Fatalf("the /staff menu lost its buttons after inviting %s:\n%s", role, owner.Transcript())
		}
	}
	owner.TapOld(menu, "➕ Invite a cashier").Tap("Central")
	invited("a cashier (Central)")
	owner.TapOld(menu, "➕ Invite an owner")
	invited("an owner")
	owner.TapOld(menu, "➕ Invite a manager").Tap("River")
	invited("a manager (River)")
	owner.TapOld(menu, "👥 Staff list")
	if got := owner.Last().Text; !strings.HasPrefix(got, "Staff:") || strings.Contains(owner.Transcript(), "out of date") {
		t.Fatalf("the staff list from the menu after the invitations:\n%s", owner.Transcript())
	}
}
