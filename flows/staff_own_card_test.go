package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStaffCommandsDoNotAskForTheirCardAgain: /start offers the owner a
// card of her own, "if you would like one"; she leaves the consent
// question unanswered and works. Her /stats and /help are not each
// followed by the consent question again, and its buttons still work.
func TestStaffCommandsDoNotAskForTheirCardAgain(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/start")
	consent := owner.Last().ID
	for _, cmd := range []string{"/stats", "/help", "/today"} {
		owner.Send(cmd)
		if got := owner.Last().Text; strings.Contains(got, "Do you agree to the processing") {
			t.Fatalf("%s was followed by the consent question again:\n%s", cmd, owner.Transcript())
		}
	}
	owner.TapOld(consent, "✅ I agree")
	if got := owner.Last().Text; !strings.Contains(got, "phone") {
		t.Fatalf("the consent's button after the commands:\n%s", owner.Transcript())
	}
}

// TestStaffStartAgainOffersTheirCard: the owner left the card's consent
// question open and worked; a /start later says "let's continue where we
// stopped" and must then ask that question again, not stop there.
func TestStaffStartAgainOffersTheirCard(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/start")
	owner.Send("/today")
	owner.Send("/start")
	if got := owner.Last().Text; !strings.Contains(got, "Do you agree to the processing") {
		t.Fatalf("a second /start did not offer the card again:\n%s", owner.Transcript())
	}
}
