package flows_test

import (
	"strings"
	"testing"
	"time"
)

// TestSwitchedOffRuleWaitingForTheMorningIsTakenBack: a win-back due at
// 23:00 waits for 10:00; overnight the owner switches the rule off in
// the config (enabled = false, the bot restarted). At 10:00 Anna must
// not get the message of a rule that is off, nor keep its 100 points she
// was never told of; her card says why it did not go.
func TestSwitchedOffRuleWaitingForTheMorningIsTakenBack(t *testing.T) {
	t.Parallel()
	h, owner, anna := winBackAt23(t)
	h.Clock.Advance(2 * time.Hour) // 01:00: the owner turns the win-back off
	for i := range h.Biz.Nudges.Rules {
		if h.Biz.Nudges.Rules[i].ID == "winback" {
			h.Biz.Nudges.Rules[i].Enabled = false
		}
	}
	for range 10 { // the nudges job runs on, an hour at a time, to 11:00
		h.Clock.Advance(time.Hour)
		runNudges(t, h)
	}
	if got(anna.Sync(), "We miss you") != 0 {
		t.Fatalf("the switched-off win-back went out:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM point_lots l JOIN ledger g ON g.id = l.ledger_id
		WHERE g.kind = 'nudge' AND l.remaining > 0`); n != 0 {
		t.Fatalf("the 100 points of the switched-off win-back, never announced, are still on the card (%d lots)", n)
	}
	owner.Send("/customer +79990000101")
	if card := owner.Last().Text; !strings.Contains(card, "not sent (the rule was switched off before it went)") {
		t.Fatalf("the customer card:\n%s", card)
	}
}
