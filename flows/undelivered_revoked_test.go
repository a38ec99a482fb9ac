package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// TestUndeliveredReplyOfARevokedManagerIsNotReportedToThem: Max answers
// Anna's question, but Anna has blocked the bot, and the answer is still
// on its way to Telegram when Max is revoked. When it meets the 403, Max,
// no longer staff, is not told about the shop's customer; the question
// waits again for those who still work there.
func TestUndeliveredReplyOfARevokedManagerIsNotReportedToThem(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStoreDetails)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	anna := join(t, h, 101, "Anna")
	posBuy(t, h, 101, "coffee")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	manager.Sync()
	anna.U.Block()
	stall := make(chan struct{})
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{ChatID: 101, Stall: stall})
	manager.Tap("↩️ Reply")
	// The answer is held on its way to Telegram (the bot is not idle):
	// the chats are driven without waiting for it.
	manager.U.SendText("Yes, we do.")
	waitFor(t, func() bool { return strings.Contains(manager.U.Last().Text, "Sent to Anna") })
	owner.U.SendText("/staff")
	for _, label := range []string{"👥 Staff list", "Revoke Max", "Yes, revoke"} {
		waitFor(t, func() bool { _, err := owner.U.Tap(label); return err == nil })
	}
	waitFor(t, func() bool { return strings.Contains(owner.U.Last().Text, "Max no longer has staff access") })
	close(stall)
	h.Settle()
	if got := manager.Sync().Transcript(); strings.Contains(got, "not delivered to Anna") {
		t.Fatalf("a revoked manager is told about the customer:\n%s", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM inquiries WHERE handled_by IS NULL AND NOT answered`); n != 1 {
		t.Fatalf("%d questions waiting after the undelivered reply, want 1", n)
	}
}

// waitFor polls cond until it holds, for up to 15 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
