package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestNotInterestedStopsTheWholeSeries: "Not interested" under the first
// win-back says "we will not send you these again", and the second
// step, a month later, does not come; one who did not tap it gets it.
func TestNotInterestedStopsTheWholeSeries(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	vera := joinConsenting(t, h, 103, "Vera")
	buy(t, anna, cashier)
	buy(t, vera, cashier)
	h.Clock.Advance(30*24*time.Hour + time.Hour)
	runNudges(t, h)
	for _, c := range []*bottest.Chat{anna, vera} {
		if !strings.Contains(c.Last().Text, "We miss you") {
			t.Fatalf("no first win-back:\n%s", c.Transcript())
		}
	}
	anna.Tap("🙅 Not interested")
	if acks := anna.U.CallbackAnswers(); !strings.Contains(acks[len(acks)-1].Text, "will not send you these again") {
		t.Fatalf("the decline's answer:\n%s", anna.Transcript())
	}
	annaSeen, veraSeen := len(anna.U.Messages()), len(vera.U.Messages())

	h.Clock.Advance(30 * 24 * time.Hour)
	runNudges(t, h)
	anna.Sync()
	vera.Sync()
	if len(vera.U.Messages()) == veraSeen {
		t.Fatalf("Vera got no second win-back:\n%s", vera.Transcript())
	}
	if len(anna.U.Messages()) != annaSeen {
		t.Fatalf("Anna declined the series and still got %q", anna.Last().Text)
	}
	if n := countRows(t, h, `SELECT count(*) FROM nudges n JOIN customers c ON c.id = n.customer_id
		WHERE n.rule = 'winback_2' AND c.telegram_id = 101`); n != 0 {
		t.Fatalf("%d second win-backs recorded for Anna", n)
	}
}
