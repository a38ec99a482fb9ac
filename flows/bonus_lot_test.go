package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestBadgeTakenBackFromItsOwnLot: Anna's first purchase earns the
// first-purchase badge, 20 points valid through 22.12; a code word the
// next night gives her 100 more (through 23.12). The purchase is
// cancelled: the badge's points go back from the badge's own lot, so the
// code word's points live to their own date: on 23.12 Anna still has all
// 100 of them, not 80 with the badge's 20 dead the night before.
func TestBadgeTakenBackFromItsOwnLot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 964, "Boris")
	anna := join(t, h, 164, "Anna")
	buy(t, anna, cashier) // Sunday 22.11, 15:00 in Moscow: welcome and badge valid through 22.12
	if got := balance(t, h, 164); got != 150 {
		t.Fatalf("balance %d after the first purchase, want 100 welcome + 30 earned + 20 badge", got)
	}
	h.Clock.Advance(10 * time.Hour) // 23.11, 01:00: a code word's points are valid through 23.12
	owner.Send("/codes").Tap("➕ New code word").Send("#autumn").Tap("100").Send("31.12").Send("5").Tap("✅ Start")
	anna.Send("autumn")
	if got := balance(t, h, 164); got != 250 {
		t.Fatalf("balance %d after the code word, want 250:\n%s", got, anna.Transcript())
	}
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Anna")).Tap("Yes, cancel it")
	if got := balance(t, h, 164); got != 200 {
		t.Fatalf("balance %d after the cancellation, want 200 (welcome and code word)\n%s", got, owner.Transcript())
	}
	h.Clock.Advance(30*24*time.Hour + 11*time.Hour) // 23.12, 12:00: the welcome and badge date has passed, the code word's not
	if _, err := domain.ExpirePoints(context.Background(), h.DB, &h.Biz.Program, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	anna.Send("/balance")
	if got := anna.Last().Text; !strings.Contains(got, "Your balance: 100 points.") {
		t.Errorf("on 23.12 the code word's points (valid through 23.12) are not all there: the badge was taken back from them:\n%s", got)
	}
}

// TestReferralBonusTakenBackFromItsOwnLot: Bob, invited by Anna, gets
// 100 points for the friend's invite with his first purchase (valid
// through 22.12, as does Anna's 100 for him); a code word the next night
// gives each of them 100 more (through 23.12). The purchase is
// cancelled, voiding the referral: each side's bonus goes back from its
// own lot, so on 23.12 both still hold their code word's 100 points,
// not what the bonus's dead lot left of them.
func TestReferralBonusTakenBackFromItsOwnLot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 965, "Boris")
	anna := join(t, h, 165, "Anna")
	link := inviteLink(t, anna)
	bob := h.Chat(166, "Bob", "en")
	bob.Send("/start " + link).Tap("✅ I agree").ShareContact("+79990000166").Tap("Bob").Tap("No, thanks")
	buy(t, bob, cashier) // 22.11, 15:00: Bob 100 welcome + 100 referral + 30 + 20 badge; Anna 100 + 100
	if a, b := balance(t, h, 165), balance(t, h, 166); a != 200 || b != 250 {
		t.Fatalf("balances after the first purchase: Anna %d (want 200), Bob %d (want 250)", a, b)
	}
	h.Clock.Advance(10 * time.Hour) // 23.11, 01:00: a code word's points are valid through 23.12
	owner.Send("/codes").Tap("➕ New code word").Send("#autumn").Tap("100").Send("31.12").Send("5").Tap("✅ Start")
	anna.Send("autumn")
	bob.Send("autumn")
	if a, b := balance(t, h, 165), balance(t, h, 166); a != 300 || b != 350 {
		t.Fatalf("balances after the code word: Anna %d (want 300), Bob %d (want 350)", a, b)
	}
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Bob")).Tap("Yes, cancel it")
	if a, b := balance(t, h, 165), balance(t, h, 166); a != 200 || b != 200 {
		t.Fatalf("balances after the cancellation: Anna %d, Bob %d, want 200 each (welcome and code word)\n%s", a, b, owner.Transcript())
	}
	h.Clock.Advance(30*24*time.Hour + 11*time.Hour) // 23.12, 12:00: the welcome and bonus date has passed, the code word's not
	if _, err := domain.ExpirePoints(context.Background(), h.DB, &h.Biz.Program, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*bottest.Chat{anna, bob} {
		c.Send("/balance")
		if got := c.Last().Text; !strings.Contains(got, "Your balance: 100 points.") {
			t.Errorf("on 23.12 the code word's points (valid through 23.12) are not all there: the referral bonus was taken back from them:\n%s", got)
		}
	}
}
