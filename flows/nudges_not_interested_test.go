package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestNotInterestedIsNoClick: a customer who taps "Not interested" under
// the win-back did not click through: /stats nudges counts only the one
// who tapped "My card" among the clicks, and the owner's customer card
// shows the first as not interested, the second as tapped.
func TestNotInterestedIsNoClick(t *testing.T) {
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
		if !strings.Contains(c.Sync().Last().Text, "We miss you") {
			t.Fatalf("no win-back:\n%s", c.Transcript())
		}
	}
	anna.Tap("🙅 Not interested")
	vera.Tap("💳 My card")

	owner.Send("/stats nudges")
	text := owner.Last().Text
	if !strings.Contains(text, "▪️ We miss you: 2 due — 2 sent") || !strings.Contains(text, "Clicks: 1;") {
		t.Errorf("/stats nudges counts Not interested as a click:\n%s", text)
	}
	owner.Send("/customer +79990000101")
	if card := owner.Last().Text; !strings.Contains(card, "We miss you: sent, not interested") || strings.Contains(card, "tapped") {
		t.Errorf("Anna's card:\n%s", card)
	}
	owner.Send("/customer +79990000103")
	if card := owner.Last().Text; !strings.Contains(card, "We miss you: sent, tapped") || strings.Contains(card, "not interested") {
		t.Errorf("Vera's card:\n%s", card)
	}
}
