package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestReferralRefusedForTheErasedInvitersTypedPhone: Dave typed his
// number, showed his link, opened it on his second account and erased
// his data before that account finished joining with the same number.
// The link brings no bonus to his own number, erased or not: the
// promise kept for a friend is not one to himself.
func TestReferralRefusedForTheErasedInvitersTypedPhone(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	dave := h.Chat(104, "Dave", "en")
	dave.Send("/start").Tap("✅ I agree").Send("+7 999 000-05-55").Tap("Dave").Tap("No, thanks")
	link := inviteLink(t, dave)

	eve := h.Chat(105, "Eve", "en")
	eve.Note("the same person's second account").Send("/start " + link).Tap("✅ I agree")
	dave.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	eve.ShareContact("+79990000555").Tap("Eve").Tap("No, thanks")
	if !strings.Contains(eve.Transcript(), "This invite link brings no bonus for this number.") {
		t.Fatalf("the erased inviter's own number was not refused:\n%s", eve.Transcript())
	}
	buy(t, eve, cashier)
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'referral'`); n != 0 {
		t.Fatalf("%d referral bonuses paid to the erased inviter's own number", n)
	}
}
