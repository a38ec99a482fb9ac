package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// alertCalls counts the messages the bot tried to send to chat.
func alertCalls(h *bottest.Harness, chat int64) int {
	n := 0
	for _, c := range h.Fake.Calls("sendMessage") {
		if c.ChatID == chat {
			n++
		}
	}
	return n
}

// TestAlertsStopForAManagerWhoBlockedTheBot: a manager who blocked the
// bot is marked at the first 403, as a customer is (DESIGN §6): the next
// alerts are not tried on them, the owner sees in the staff list that
// they cannot be reached, and once they write again they get alerts
// again.
func TestAlertsStopForAManagerWhoBlockedTheBot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	low := func(id int64, name string) {
		t.Helper()
		c := join(t, h, id, name)
		buy(t, c, cashier)
		c.Send("/feedback").Tap("2⭐")
		h.Settle()
	}

	manager.U.Block()
	low(101, "Anna") // the alert meets the 403
	tried := alertCalls(h, 902)
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE chat_id = 902 AND unreachable_at IS NOT NULL`); n != 1 {
		t.Fatalf("the manager who blocked the bot is not marked after the 403")
	}
	low(102, "Ben")
	if n := alertCalls(h, 902); n != tried {
		t.Fatalf("%d more alerts tried on the manager who blocked the bot", n-tried)
	}
	owner.Sync().Send("/staff").Tap("👥 Staff list")
	if got := owner.Last().Text; !strings.Contains(got, "Mila — manager, Central ⚠️ blocked the bot") {
		t.Fatalf("the staff list does not say the manager cannot be reached:\n%s", got)
	}

	manager.U.Unblock()
	manager.Send("/help")
	low(103, "Cleo")
	if got := manager.Last().Text; !strings.Contains(got, "Cleo") {
		t.Fatalf("the manager who wrote again got no alert:\n%s", manager.Transcript())
	}
	owner.Send("/staff").Tap("👥 Staff list")
	if got := owner.Last().Text; strings.Contains(got, "blocked the bot") {
		t.Fatalf("the staff list still marks the manager who wrote again:\n%s", got)
	}
}
