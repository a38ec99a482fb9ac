package flows_test

import (
	"strings"
	"testing"
	"time"
)

// TestWinBackWaitingForTheMorningIsTakenBackWhenSheBuys: a win-back due
// at 23:00 waits for 10:00; Anna comes to the shop at 09:00 and buys.
// At 10:00 she must not be told "We miss you" an hour after her
// purchase, and the 100 points she was never told of go with it, her
// points history not claiming she stopped offers.
func TestWinBackWaitingForTheMorningIsTakenBackWhenSheBuys(t *testing.T) {
	t.Parallel()
	h, owner, anna := winBackAt23(t)
	h.Clock.Advance(10 * time.Hour) // 09:00
	buy(t, anna, owner)
	h.Clock.Advance(2 * time.Hour) // 11:00
	h.Settle()
	if got(anna.Sync(), "We miss you") != 0 {
		t.Fatalf("the win-back went an hour after she bought:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'winback' AND outcome = 'sent'`); n != 0 {
		t.Fatalf("%d win-backs still recorded as sent after she came back before they went", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM point_lots l JOIN ledger g ON g.id = l.ledger_id
		WHERE g.kind = 'nudge' AND l.remaining > 0`); n != 0 {
		t.Fatalf("the 100 points of the withdrawn win-back, never announced, are still on the card (%d lots)", n)
	}
	anna.Send("/balance")
	if text := anna.Last().Text; strings.Contains(text, "you stopped offers") {
		t.Fatalf("her history says she stopped offers; she did not, she came back:\n%s", text)
	}
}
