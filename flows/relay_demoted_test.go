package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestAnswerToAHandlerWhoNoLongerAnswersReachesTheOwners: a manager
// answers a Central customer's question, then can no longer answer it:
// revoked and hired back as a cashier, or moved to River (a River
// manager invitation opened). The customer's answer to the shop's reply
// must not go to someone left with a Reply that only says the button is
// stale: it goes to the owners, and the owner may take the question over.
func TestAnswerToAHandlerWhoNoLongerAnswersReachesTheOwners(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		move func(t *testing.T, h *bottest.Harness, owner *bottest.Chat)
	}{
		{"demoted to cashier", func(t *testing.T, h *bottest.Harness, owner *bottest.Chat) {
			owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Max").Tap("Yes, revoke")
			hire(t, h, owner, "cashier", 962, "Max")
		}},
		{"moved to River", func(t *testing.T, h *bottest.Harness, owner *bottest.Chat) {
			hireAt(t, h, owner, "manager", "River", 962, "Max")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := bottest.New(t, withOwner, withStoreDetails)
			owner := h.Chat(ownerID, "Olga", "en")
			manager := hire(t, h, owner, "manager", 962, "Max")
			anna := join(t, h, 101, "Anna")
			posBuy(t, h, 101, "coffee")
			anna.Send("Do you have oat milk?").Tap("✉️ Send")
			owner.Sync()
			alert := owner.Last().ID
			manager.Sync()
			manager.Tap("↩️ Reply").Send("Yes, 40 ₽ extra.")
			tc.move(t, h, owner)
			manager.Sync()
			managerBefore := len(manager.U.Messages())
			ownerBefore := len(owner.Sync().U.Messages())

			anna.Sync()
			anna.Tap("↩️ Answer").Send("And almond?")
			owner.Sync()
			manager.Sync()
			if got := manager.U.Messages()[managerBefore:]; len(got) != 0 && strings.Contains(manager.Last().Text, "And almond?") {
				t.Errorf("the customer's answer went to Max, who cannot reply to it:\n%s", manager.Transcript())
			}
			if len(owner.U.Messages()) == ownerBefore || !strings.Contains(owner.Last().Text, "Anna answers:\nAnd almond?") {
				t.Fatalf("the owners never hear the customer's answer:\n%s", owner.Transcript())
			}
			owner.Tap("↩️ Reply").Send("Almond too.")
			if !strings.Contains(anna.Sync().Last().Text, "Almond too.") {
				t.Fatalf("the owner cannot take the thread over:\n%s", owner.Transcript())
			}
			owner.TapOld(alert, "↩️ Reply")
			if strings.Contains(owner.Last().Text, "Max has handled this question already") {
				t.Fatalf("Max still holds the question:\n%s", owner.Transcript())
			}
		})
	}
}

// TestOwnerTakesOverTheThreadOfAHandlerWhoBlockedTheBot: the answer to a
// manager who blocked the bot (marked at the 403 of an alert) reaches
// the owners with Reply under it, and the customer is not told it is
// lost;
// the owner's Reply takes the question over, as for a manager who lost
// their access, rather than 'Max has handled this question already'
// about someone who reads nothing the bot sends.
func TestOwnerTakesOverTheThreadOfAHandlerWhoBlockedTheBot(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"question", "rating"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			h := bottest.New(t, withOwner, withStoreDetails)
			owner := h.Chat(ownerID, "Olga", "en")
			manager := hire(t, h, owner, "manager", 962, "Max")
			anna := join(t, h, 101, "Anna")
			posBuy(t, h, 101, "coffee")
			if kind == "question" {
				anna.Send("Do you have oat milk?").Tap("✉️ Send")
			} else {
				anna.Send("/feedback").Tap("1⭐")
			}
			manager.Sync()
			manager.Tap("↩️ Reply").Send("Sorry, Anna.")
			manager.U.Block()
			ben := join(t, h, 102, "Ben")
			posBuy(t, h, 102, "coffee")
			ben.Send("Are you open on Sunday?").Tap("✉️ Send")
			h.Settle() // the alert meets the manager's 403
			if n := countRows(t, h, `SELECT count(*) FROM staff WHERE chat_id = 962 AND unreachable_at IS NOT NULL`); n != 1 {
				t.Fatalf("the manager who blocked the bot is not marked")
			}
			anna.Sync()
			anna.Tap("↩️ Answer").Send("And almond?")
			if !strings.Contains(owner.Sync().Last().Text, "Anna answers:\nAnd almond?") {
				t.Fatalf("the owners never hear the answer:\n%s", owner.Transcript())
			}
			if got := anna.Last().Text; strings.Contains(got, "cannot be delivered") {
				t.Errorf("Anna was told her answer is lost: %q", got)
			}
			owner.Tap("↩️ Reply")
			if got := owner.Last().Text; strings.Contains(got, "Max has handled") {
				t.Fatalf("the owner cannot take over from a manager who blocked the bot: %q", got)
			}
			owner.Send("Almond too.")
			if !strings.Contains(anna.Sync().Last().Text, "Almond too.") {
				t.Fatalf("the owner's reply never reaches Anna:\n%s\n---\n%s", owner.Transcript(), anna.Transcript())
			}
		})
	}
}
