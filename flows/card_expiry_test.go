package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestCardShowsTheBalanceAfterExpiry: the welcome bonus expires after 30
// days; before the nightly job writes it off, /card and the staff's
// customer card show no points /balance and the register no longer have.
func TestCardShowsTheBalanceAfterExpiry(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	anna := join(t, h, 110, "Anna")
	vera := join(t, h, 111, "Vera")
	anna.Send("/card")
	if card := anna.Last().Caption; !strings.Contains(card, "Anna · 100 points") {
		t.Fatalf("/card at joining: %q", card)
	}
	h.Clock.Advance(31 * 24 * time.Hour)
	owner.Send("/customer +79990000110")
	if staffCard := owner.Last().Text; !strings.Contains(staffCard, "· points: 0 ·") {
		t.Errorf("the customer card shows expired points:\n%s", staffCard)
	}
	vera.Send("/card")
	card := vera.Last().Caption
	vera.Send("/balance")
	bal := vera.Last().Text
	if !strings.HasPrefix(bal, "Your balance: 0 points") || !strings.Contains(card, "Vera · 0 points") {
		t.Fatalf("/card and /balance disagree after the bonus expired:\n/card: %q\n/balance: %q", card, bal)
	}
	vera.Send("/card")
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'expire'`); n != 2 {
		t.Fatalf("%d expiry rows, want Anna's and Vera's", n)
	}
}
