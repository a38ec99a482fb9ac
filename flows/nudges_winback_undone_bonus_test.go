package flows_test

import (
	"strings"
	"testing"
	"time"
)

// TestWinBackBonusPaidWithThenPurchaseCancelledIsNotGivenTwice: Anna's
// win-back (100 points) is recorded at 23:00 and waits for 10:00, its
// bonus already on the card. At 09:00 she pays with all her points, the
// bonus among them, and the purchase is cancelled at once (the wrong
// receipt): the win-back goes at 11:00 as it would have, and her card
// holds its bonus once, not the withdrawn one's points given back by
// the cancel as well.
func TestWinBackBonusPaidWithThenPurchaseCancelledIsNotGivenTwice(t *testing.T) {
	t.Parallel()
	h, owner, anna := winBackAt23(t)
	h.Clock.Advance(10 * time.Hour) // 09:00
	scan(t, anna, owner)
	owner.Send("1000")
	pay := ""
	for _, row := range owner.Last().Inline {
		for _, b := range row {
			if strings.HasPrefix(b.Text, "➖ Pay with points") {
				pay = b.Text
			}
		}
	}
	if pay == "" {
		t.Fatalf("no 'Pay with points' at the register:\n%s", owner.Transcript())
	}
	owner.Tap(pay).Tap("✅ Confirm")
	owner.Tap("Cancel this purchase").Tap("Yes, cancel it")
	h.Clock.Advance(2 * time.Hour) // 11:00
	h.Settle()
	runNudges(t, h)
	if got(anna.Sync(), "We miss you") != 1 {
		t.Fatalf("the win-back did not go after the cancelled purchase:\n%s\n%s", anna.Transcript(), owner.Transcript())
	}
	// 30 earned on the first purchase (the welcome bonus has expired)
	// and one win-back bonus of 100.
	if after := balance(t, h, 101); after != 130 {
		t.Fatalf("balance %d after the cancelled purchase and the win-back, want 130 (one win-back bonus):\n%s\n%s",
			after, anna.Transcript(), owner.Transcript())
	}
}

// TestWinBackBonusPartlyPaidWithThenPurchaseCancelledIsNotGivenTwice:
// as above, but Anna pays 50 points only, the win-back's bonus paying
// them: the withdrawal takes back the 50 left of it, and the cancel gives
// the 50 paid back. The win-back recorded anew brings its own 100: her
// card holds one win-back bonus, not one and a half.
func TestWinBackBonusPartlyPaidWithThenPurchaseCancelledIsNotGivenTwice(t *testing.T) {
	t.Parallel()
	h, owner, anna := winBackAt23(t)
	h.Clock.Advance(10 * time.Hour) // 09:00
	scan(t, anna, owner)
	owner.Send("1000").Tap("✏️ Pay another number of points").Send("50").Tap("✅ Confirm")
	if after := balance(t, h, 101); after != 58 {
		t.Fatalf("balance %d after paying 50 of the bonus and its withdrawal, want the 30 and 28 earned:\n%s\n%s",
			after, anna.Transcript(), owner.Transcript())
	}
	owner.Tap("Cancel this purchase").Tap("Yes, cancel it")
	h.Clock.Advance(2 * time.Hour) // 11:00
	h.Settle()
	runNudges(t, h)
	if got(anna.Sync(), "We miss you") != 1 {
		t.Fatalf("the win-back did not go after the cancelled purchase:\n%s\n%s", anna.Transcript(), owner.Transcript())
	}
	if after := balance(t, h, 101); after != 130 {
		t.Fatalf("balance %d after the cancelled purchase and the win-back, want 130 (one win-back bonus):\n%s\n%s",
			after, anna.Transcript(), owner.Transcript())
	}
}
