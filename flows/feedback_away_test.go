package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// alertsOf are the owner's low-rating alerts (with a Reply button) since
// message seen, by the customer named.
func alertsOf(c *bottest.Chat, seen int) map[string]tgfake.Message {
	out := map[string]tgfake.Message{}
	msgs := c.Sync().U.Messages()
	for _, m := range msgs[seen:] {
		if !strings.HasPrefix(m.Text, "⚠️") && !strings.Contains(m.Text, "Low rating") {
			continue
		}
		reply := false
		for _, row := range m.Inline {
			for _, b := range row {
				reply = reply || b.Text == "↩️ Reply"
			}
		}
		for _, name := range []string{"Anna", "Bella", "Clara"} {
			if reply && strings.Contains(m.Text, "from "+name) {
				out[name] = m
			}
		}
	}
	return out
}

// TestBadReviewsWaitForTheOwnerWhoBlockedTheBot: the owner blocked the
// bot; Anna's 1⭐ meets the 403 and Bella's 2⭐ is never queued for her.
// When she writes to the bot again she gets both alerts, with a header,
// and Reply on Anna's reaches Anna. A rating of more than 7 days ago
// stays out, and a second message does not bring them again.
func TestBadReviewsWaitForTheOwnerWhoBlockedTheBot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	owner.U.Block()
	clara := join(t, h, 103, "Clara")
	buy(t, clara, cashier)
	clara.Send("/feedback").Tap("1⭐").Tap("Skip")
	h.Settle()
	h.Clock.Advance(8 * 24 * time.Hour)

	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("1⭐")
	h.Settle() // the alert meets the 403
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE unreachable_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d handlers marked as having blocked the bot, want 1", n)
	}
	bella := join(t, h, 102, "Bella")
	buy(t, bella, cashier)
	bella.Send("/feedback").Tap("2⭐").Tap("Skip")
	h.Settle()

	owner.U.Unblock()
	seen := len(owner.Sync().U.Messages())
	owner.Send("/start")
	h.Settle()
	got := alertsOf(owner, seen)
	if _, ok := got["Anna"]; !ok || got["Bella"].ID == 0 || got["Clara"].ID != 0 {
		t.Fatalf("the owner back in the bot should get Anna's and Bella's alerts (not Clara's, 8 days old):\n%s", owner.Transcript())
	}
	if !strings.Contains(owner.Transcript(), "While you were away: 2 bad reviews") {
		t.Fatalf("no header before the alerts that waited:\n%s", owner.Transcript())
	}
	owner.TapOld(got["Anna"].ID, "↩️ Reply").Send("So sorry, Anna!")
	if !strings.Contains(anna.Sync().Last().Text, "So sorry, Anna!") {
		t.Fatalf("Reply on the alert that waited does not reach Anna:\n%s", owner.Transcript())
	}

	seen = len(owner.Sync().U.Messages())
	owner.Send("/help")
	h.Settle()
	if again := alertsOf(owner, seen); len(again) != 0 {
		t.Fatalf("the alerts came again:\n%s", owner.Transcript())
	}
}

// TestBadReviewHandledMeanwhileIsNotResent: the owner blocked the bot;
// the manager resolves Anna's 1⭐ while she is away, and Bella's 2⭐ is
// left waiting. The owner back in the bot gets Bella's alert alone, and
// no header for one.
func TestBadReviewHandledMeanwhileIsNotResent(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	owner.U.Block()
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("1⭐").Tap("Skip")
	h.Settle()
	manager.Sync().Tap("✅ Resolved")
	bella := join(t, h, 102, "Bella")
	buy(t, bella, cashier)
	bella.Send("/feedback").Tap("2⭐").Tap("Skip")
	h.Settle()

	owner.U.Unblock()
	seen := len(owner.Sync().U.Messages())
	owner.Send("hello")
	h.Settle()
	got := alertsOf(owner, seen)
	if got["Anna"].ID != 0 || got["Bella"].ID == 0 {
		t.Fatalf("the owner should get Bella's alert only (the manager resolved Anna's):\n%s", owner.Transcript())
	}
	if strings.Contains(owner.Transcript(), "While you were away") {
		t.Fatalf("a header for one alert:\n%s", owner.Transcript())
	}
}

// TestBadReviewWaitsForTheOwnerWhoUnblocksTheBot: Telegram tells of the
// unblock (my_chat_member) before the owner's next message, which then
// finds no mark to clear: the alert she missed comes with the unblock,
// once, and its Reply works.
func TestBadReviewWaitsForTheOwnerWhoUnblocksTheBot(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	owner.U.Block()
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("1⭐").Tap("Skip")
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM staff WHERE unreachable_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d handlers marked as having blocked the bot, want 1", n)
	}

	owner.U.Unblock()
	seen := len(owner.Sync().U.Messages())
	unblocked := `{"update_id": 800002, "my_chat_member": {"chat": {"id": 900, "type": "private", "first_name": "Olga"},
		"from": {"id": 900, "is_bot": false, "first_name": "Olga"}, "date": 1763800000,
		"old_chat_member": {"status": "kicked", "user": {"id": 1000, "is_bot": true, "first_name": "bot"}, "until_date": 0},
		"new_chat_member": {"status": "member", "user": {"id": 1000, "is_bot": true, "first_name": "bot"}}}}`
	if err := h.Bot.Accept(t.Context(), []byte(unblocked)); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	owner.Send("/start")
	h.Settle()
	msgs := owner.Sync().U.Messages()[seen:]
	alerts := 0
	for _, m := range msgs {
		if strings.Contains(m.Text, "Low rating ★☆☆☆☆ from Anna") {
			alerts++
		}
	}
	got := alertsOf(owner, seen)
	if alerts != 1 || got["Anna"].ID == 0 {
		t.Fatalf("%d alerts on Anna's rating after the unblock, want 1:\n%s", alerts, owner.Transcript())
	}
	owner.TapOld(got["Anna"].ID, "↩️ Reply").Send("So sorry, Anna!")
	if !strings.Contains(anna.Sync().Last().Text, "So sorry, Anna!") {
		t.Fatalf("Reply on the alert that waited does not reach Anna:\n%s", owner.Transcript())
	}
}

// TestBadReviewOfAVisitReturnedInFullWaitsForTheOwner: the owner blocked
// the bot; Clara rates her visit 2⭐ and brings it all back (returned in
// full: a visit whose rating counts, its reason often). The owner back in
// the bot gets Clara's alert; Anna's 1⭐ of a purchase cancelled (rung up
// by mistake) stays out.
func TestBadReviewOfAVisitReturnedInFullWaitsForTheOwner(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	owner.U.Block()
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("1⭐").Tap("Skip")
	h.Settle()
	cancelPurchase(t, h, lastPurchaseID(t, h))
	clara := join(t, h, 103, "Clara")
	buy(t, clara, cashier)
	clara.Send("/feedback").Tap("2⭐").Tap("Skip")
	ownerReturns(t, h, lastPurchaseID(t, h), "test:clara", 100_000)
	h.Settle()

	owner.U.Unblock()
	seen := len(owner.Sync().U.Messages())
	owner.Send("/start")
	h.Settle()
	got := alertsOf(owner, seen)
	if got["Clara"].ID == 0 || got["Anna"].ID != 0 {
		t.Fatalf("the owner back in the bot should get Clara's alert (her visit returned in full), not Anna's (cancelled):\n%s", owner.Transcript())
	}
}
