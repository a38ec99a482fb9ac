package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestSendMeTopicAgainWithTheConsentOff: Anna left Sales under one
// broadcast, then stopped all offers under another. "🔔 Send me Sales
// again" under the first must not tell her Sales will come: without the
// marketing consent nothing is sent. The message keeps the way back.
func TestSendMeTopicAgainWithTheConsentOff(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 391, "Anna")
	owner.Send("/broadcast").Send("Sale one").Tap("📣 Sales").Tap("✅ Send to 1 customer")
	owner.Send("/broadcast").Send("Sale two").Tap("📣 Sales").Tap("✅ Send to 1 customer")
	h.Settle()
	anna.Sync()
	first, second := 0, 0
	for _, m := range anna.U.Messages() {
		switch m.Text {
		case "Sale one":
			first = m.ID
		case "Sale two":
			second = m.ID
		}
	}
	if first == 0 || second == 0 {
		t.Fatalf("broadcasts not received:\n%s", anna.Transcript())
	}
	anna.TapOld(first, "🔕 Don't send me Sales")
	anna.TapOld(second, "🛑 Stop all offers and news")
	if c, _ := customer(t, h, 391); c.Marketing {
		t.Fatal("consent not withdrawn")
	}
	anna.TapOld(first, "🔔 Send me Sales again")
	if c, _ := customer(t, h, 391); c.Marketing {
		t.Fatal("the topic's button gave the consent back")
	}
	tr := anna.Transcript()
	if !strings.HasSuffix(strings.TrimSpace(tr), "! Sales: noted. Offers and news are off, though: nothing comes until you turn them back on.") {
		t.Errorf("told Sales will come with the consent withdrawn:\n%s", tr)
	}
	for _, m := range anna.U.Messages() {
		if m.ID == first {
			if b := strings.Join(m.Buttons(), "|"); b != "🔔 Receive offers and news" {
				t.Errorf("the first broadcast's buttons with the consent off: %s", b)
			}
		}
	}
}
