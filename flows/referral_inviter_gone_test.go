package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestReferralPromiseHoldsWhenTheInviterErasesMidJoin: a friend told at
// the link "Anna invited you… your first purchase brings you 100 points"
// gets them even when Anna erases her data before the friend finishes
// joining (Bob, half way through), or while the friend left the joining
// for days (Carl): her code goes with the erasure, the promise does not.
// Anna, erased, gets nothing.
func TestReferralPromiseHoldsWhenTheInviterErasesMidJoin(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	link := inviteLink(t, anna)
	annaRow, annaCard := customer(t, h, 101)

	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start " + link).Tap("✅ I agree")
	carl := h.Chat(103, "Carl", "en")
	carl.Send("/start " + link)
	for _, c := range []*bottest.Chat{bob, carl} {
		if !strings.Contains(c.Transcript(), "Anna invited you to Test Coffee: join, and your first purchase brings you 100 points.") {
			t.Fatalf("the friend was not told who invited them:\n%s", c.Transcript())
		}
	}
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")

	bob.ShareContact("+79990000102").Tap("Bob").Tap("No, thanks")
	h.Clock.Advance(3 * 24 * time.Hour)
	carl.Send("/start").Tap("✅ I agree").ShareContact("+79990000103").Tap("Carl").Tap("No, thanks")
	for _, c := range []*bottest.Chat{bob, carl} {
		if !strings.Contains(c.Transcript(), "You came with a friend's invite: 100 points for you with your first purchase.") {
			t.Fatalf("the friend joined without word of the promised bonus:\n%s", c.Transcript())
		}
		buy(t, c, cashier)
		c.Sync()
		if !strings.Contains(texts(c), "The friend's invite brought you 100 points.") {
			t.Fatalf("the friend's first purchase brought no referral bonus:\n%s", c.Transcript())
		}
	}
	// 100 welcome + 100 referral + 30 earned + 20 first-purchase badge.
	if b, c := balance(t, h, 102), balance(t, h, 103); b != 250 || c != 250 {
		t.Fatalf("balances: Bob %d, Carl %d, want 250 each", b, c)
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'referral' AND card_id = $1`, annaCard.ID); n != 0 {
		t.Fatalf("Anna's erased card got %d referral rows", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM referrals WHERE referrer_id = $1 AND refused = '' AND completed_at IS NOT NULL`, annaRow.ID); n != 2 {
		t.Fatalf("%d completed referrals of Anna's link, want Bob's and Carl's", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM customers WHERE id = $1 AND erased_at IS NOT NULL AND first_name = '' AND phone IS NULL`, annaRow.ID); n != 1 {
		t.Fatal("Anna is not erased")
	}
	cardsAddUp(t, h, 102, 103)
}

// TestReferralJoinFinishedAfterTheInvitersCardMoved: a friend who began
// joining through Anna's link and finished after her card moved to her
// new Telegram account is her friend still: both get their bonus, and
// her new account is the one told.
func TestReferralJoinFinishedAfterTheInvitersCardMoved(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	link := inviteLink(t, anna)

	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start " + link).Tap("✅ I agree")
	moved := h.Chat(111, "Anna", "en")
	moved.Send(cardMoveLink(t, manager, "+79990000101"))
	if c, _ := customer(t, h, 111); c == nil || !c.Member() {
		t.Fatalf("the card did not move:\n%s", moved.Transcript())
	}
	bob.ShareContact("+79990000102").Tap("Bob").Tap("No, thanks")
	if !strings.Contains(bob.Transcript(), "You came with a friend's invite: 100 points for you with your first purchase.") {
		t.Fatalf("the friend joined without word of the promised bonus:\n%s", bob.Transcript())
	}
	buy(t, bob, cashier)
	moved.Sync()
	if !strings.Contains(texts(moved), "A friend you invited made their first purchase: 100 points for you!") {
		t.Fatalf("Anna's new account was not told:\n%s", moved.Transcript())
	}
	if a, b := balance(t, h, 111), balance(t, h, 102); a != 200 || b != 250 {
		t.Fatalf("balances: Anna %d (want 200), Bob %d (want 250)", a, b)
	}
	cardsAddUp(t, h, 111, 102)
}
