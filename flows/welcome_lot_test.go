package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestHeldWelcomeTakenBackFromItsOwnLot: Bob's first purchase pays his
// held welcome bonus (valid through 22.12); a code word the next night
// gives him 100 more (through 23.12). The purchase is cancelled: the
// welcome bonus goes back from the welcome lot itself, so the code
// word's points live to their own date: on 23.12 Bob still has them,
// not the welcome lot's leftover that died the night before.
func TestHeldWelcomeTakenBackFromItsOwnLot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 953, "Boris")
	bob := h.Chat(153, "Bob", "en")
	bob.Send("/start").Tap("✅ I agree").Send("+79990000153").Tap("Bob").Tap("No, thanks")
	buy(t, bob, cashier) // Sunday 22.11, 15:00 in Moscow: the welcome bonus is valid through 22.12
	if got := balance(t, h, 153); got != 130 {
		t.Fatalf("balance %d after the first purchase, want 130", got)
	}
	h.Clock.Advance(10 * time.Hour) // 23.11, 01:00: a code word's points are valid through 23.12
	owner.Send("/codes").Tap("➕ New code word").Send("#autumn").Tap("100").Send("31.12").Send("5").Tap("✅ Start")
	bob.Send("autumn")
	if got := balance(t, h, 153); got != 230 {
		t.Fatalf("balance %d after the code word, want 230:\n%s", got, bob.Transcript())
	}
	owner.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, owner, "Bob")).Tap("Yes, cancel it")
	if got := balance(t, h, 153); got != 100 {
		t.Fatalf("balance %d after the cancellation, want 100 (the code word's)\n%s", got, owner.Transcript())
	}
	h.Clock.Advance(30*24*time.Hour + 11*time.Hour) // 23.12, 12:00: the welcome lot's date has passed, the code word's not
	if _, err := domain.ExpirePoints(context.Background(), h.DB, &h.Biz.Program, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	bob.Send("/balance")
	if got := bob.Last().Text; !strings.Contains(got, "Your balance: 100 points.") {
		t.Errorf("on 23.12 the code word's points (valid through 23.12) are gone: the welcome bonus was taken back from them:\n%s", got)
	}
}
