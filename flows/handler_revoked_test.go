package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestRevokedManagersThreadPassesToTheOwners: Max (a manager) answers
// Anna's question and is then revoked. Anna's answer is not lost with
// "the other side left the program or blocked the bot": it reaches the
// owner, who takes the thread over with Reply (also from the question's
// first alert); the shop's own message written by Max goes the same way.
func TestRevokedManagersThreadPassesToTheOwners(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	manager := hire(t, h, owner, "manager", 962, "Max")
	anna := join(t, h, 101, "Anna")

	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	owner.Sync()
	alert := owner.Last().ID
	manager.Sync().Tap("↩️ Reply").Send("Yes we do.")
	if !strings.Contains(anna.Sync().Last().Text, "Yes we do.") {
		t.Fatalf("the manager's answer:\n%s", anna.Transcript())
	}
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Max").Tap("Yes, revoke")

	anna.Tap("↩️ Answer").Send("Great, keep me a litre please!")
	if strings.Contains(anna.Last().Text, "cannot be delivered") {
		t.Fatalf("the customer's answer is lost after the manager was revoked:\n%s", anna.Transcript())
	}
	if !strings.Contains(owner.Sync().Last().Text, "keep me a litre") {
		t.Fatalf("the owner did not get Anna's answer:\n%s", owner.Transcript())
	}
	owner.Tap("↩️ Reply").Send("Kept for you.")
	if !strings.Contains(anna.Sync().Last().Text, "Kept for you.") {
		t.Fatalf("the owner's reply on the taken-over thread:\n%s\n--- owner:\n%s", anna.Transcript(), owner.Transcript())
	}
	before := len(owner.Transcript())
	owner.TapOld(alert, "↩️ Reply")
	if tail := owner.Transcript()[before:]; strings.Contains(tail, "Max has handled this question already") {
		t.Errorf("the owner cannot take over the revoked manager's thread:\n%s", tail)
	}
}
