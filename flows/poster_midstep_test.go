package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestPosterMidStaleCommentTakesTheWordsAsComment: Anna tapped 2⭐ and
// left the comment open; three hours later, at the till, she scans the
// register poster. The scan now asks "Would you like to tell us more?"
// again (ace424a); the words she writes in answer must then be the
// rating's comment, not offered to the shop as a question because the
// step's time (commentWait) ran out before the bot asked it again.
func TestPosterMidStaleCommentTakesTheWordsAsComment(t *testing.T) {
	t.Parallel()
	h, anna := ratedTwoStars(t)
	h.Clock.Advance(3 * time.Hour)
	before := len(anna.U.Messages())
	anna.Send("/start s_central")
	tail := textsSince(anna, before)
	asked := strings.Contains(tail, "Would you like to tell us more?")
	anna.Send("The cup was dirty")
	kept := countRows(t, h, `SELECT count(*) FROM feedback WHERE comment = 'The cup was dirty'`) == 1
	if asked && !kept {
		t.Fatalf("the comment was asked again after the poster scan, but the answer was not kept as the comment:\n%s", anna.Transcript())
	}
}

// TestCardScanMidCheckoutStartsTheNewOne: sanity: a cashier half way
// through Anna's checkout scans Bob's card: Bob's checkout starts.
func TestCardScanMidCheckoutStartsTheNewOne(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	scan(t, anna, cashier)
	cashier.Send("500")
	scan(t, bob, cashier)
	cashier.Send("300")
	if !strings.Contains(lastTexts(cashier, 2), "Bob · receipt 300") {
		t.Fatalf("Bob's checkout did not start:\n%s", cashier.Transcript())
	}
}

// TestReferralLinkMidStepOfANonMemberCashier: Boris, a cashier with no
// card, half way through a checkout opens Anna's referral link. He hears
// "Anna invited you … join, and your first purchase brings you 100
// points", and then only the checkout's question: the invitation he was
// just promised is dropped, and nothing says so.
func TestReferralLinkMidStepOfANonMemberCashier(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	carl := join(t, h, 103, "Carl")
	link := inviteLink(t, anna)
	scan(t, carl, cashier)
	before := len(cashier.U.Messages())
	cashier.Send("/start " + link)
	tail := textsSince(cashier, before)
	promised := strings.Contains(tail, "Anna invited you")
	joining := strings.Contains(tail, "Do you agree")
	if promised && !joining {
		t.Fatalf("the referral was promised and then dropped for the checkout:\n%s", tail)
	}
}

// textsSince is what the chat was told from its message before on, the
// texts and captions a line each.
func textsSince(c *bottest.Chat, before int) string {
	var b strings.Builder
	for _, m := range c.U.Messages()[before:] {
		b.WriteString(m.Text + m.Caption + "\n")
	}
	return b.String()
}
