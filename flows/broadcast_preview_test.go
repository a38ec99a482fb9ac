package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestBroadcastPreviewButtonsDoNothing: the preview shows the message as
// customers will see it, ways out included. Olga, the owner, has a card
// of her own with the marketing consent; tapping "🛑 Stop all offers and
// news" or "🔕 Don't send me Sales" in her preview must not withdraw her
// own consent nor take her off the topic (a preview's poll answers record
// nothing either).
func TestBroadcastPreviewButtonsDoNothing(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/start").Tap("✅ I agree").ShareContact("+79990000900").Tap("Olga").Tap("Yes, please")
	if c, _ := customer(t, h, ownerID); !c.Member() || !c.Marketing {
		t.Fatalf("the owner did not join with the consent:\n%s", owner.Transcript())
	}
	owner.Send("/broadcast").Send("Autumn sale: 20% off").Tap("📣 Sales")
	preview := 0
	for _, m := range owner.U.Messages() {
		if m.Text == "Autumn sale: 20% off" {
			preview = m.ID
		}
	}
	if preview == 0 {
		t.Fatalf("no preview:\n%s", owner.Transcript())
	}
	owner.TapOld(preview, "🔕 Don't send me Sales")
	if n := countRows(t, h, `SELECT count(*) FROM topic_subscriptions s JOIN customers c ON c.id = s.customer_id
		WHERE c.telegram_id = $1 AND NOT s.subscribed`, ownerID); n != 0 {
		t.Errorf("a tap in the preview took the owner off Sales:\n%s", owner.Transcript())
	}
	owner.TapOld(preview, "🛑 Stop all offers and news")
	if c, _ := customer(t, h, ownerID); !c.Marketing {
		t.Errorf("a tap in the preview withdrew the owner's own marketing consent:\n%s", owner.Transcript())
	}
	if !strings.Contains(owner.Last().Text, "will get it") {
		t.Errorf("the confirmation is gone: %q", owner.Last().Text)
	}
}
