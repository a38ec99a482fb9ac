package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestReplyToAQuestionOfAnErasedCustomerSaysSo: a member asks the shop a
// question and deletes their data before anyone answers; their question
// goes with it. The owner tapping Reply (or No answer needed) under the
// alert afterwards is told the customer deleted their data, the dead
// buttons go, and nothing reaches the old chat, as for a rating.
func TestReplyToAQuestionOfAnErasedCustomerSaysSo(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStoreDetails)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	anna := join(t, h, 101, "Anna")
	posBuy(t, h, 101, "coffee")
	anna.Send("Hello! Do you have oat milk?").Tap("✉️ Send")
	owner.Sync()
	manager.Sync()
	ownerAlert, managerAlert := owner.Last().ID, manager.Last().ID
	if !strings.HasPrefix(owner.Last().Text, "✉️ Question from Anna") {
		t.Fatalf("no alert:\n%s", owner.Transcript())
	}
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	const gone = "This customer has deleted their data, and their question with it"

	owner.TapOld(ownerAlert, "↩️ Reply")
	if !strings.Contains(owner.Last().Text, gone) {
		t.Errorf("Reply under an erased customer's question:\n%s", owner.Transcript())
	}
	for _, m := range owner.U.Messages() {
		if m.ID == ownerAlert && len(m.Buttons()) != 0 {
			t.Errorf("the alert keeps its dead buttons: %v", m.Buttons())
		}
	}
	manager.TapOld(managerAlert, "✅ No answer needed")
	if !strings.Contains(manager.Last().Text, gone) {
		t.Errorf("No answer needed under an erased customer's question:\n%s", manager.Transcript())
	}
	owner.Send("Yes, we do")
	if n := got(anna.Sync(), "Yes, we do"); n != 0 {
		t.Errorf("the owner's words reached the erased customer's chat")
	}
}
