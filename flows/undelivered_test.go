package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestReplyToWhoBlockedTheBotIsReportedAndTheQuestionWaitsAgain: Anna
// asks a question and blocks the bot, which nobody knows yet. Olga's
// reply is "Sent to Anna" at once, then meets Telegram's 403: Olga is
// told it did not reach Anna, who blocked the bot, and the question waits
// again in /questions instead of counting as answered.
func TestReplyToWhoBlockedTheBotIsReportedAndTheQuestionWaitsAgain(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	anna := join(t, h, 101, "Anna")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	owner.Sync()
	anna.U.Block()
	owner.Tap("↩️ Reply").Send("Yes, we do.")
	if got := owner.Transcript(); !strings.Contains(got, "Sent to Anna") {
		t.Fatalf("the reply:\n%s", owner.Transcript())
	}
	h.Settle()
	owner.Sync()
	if got := owner.Last().Text; !strings.Contains(got, "not delivered to Anna") || !strings.Contains(got, "blocked the bot") ||
		!strings.Contains(got, "Yes, we do.") {
		t.Fatalf("no word of the message that did not go:\n%s", owner.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM inquiries WHERE handled_by IS NULL AND NOT answered`); n != 1 {
		t.Fatalf("%d questions waiting after the undelivered reply, want 1", n)
	}
	owner.Send("/questions")
	if got := owner.Last().Text; !strings.Contains(got, "Do you have oat milk?") {
		t.Fatalf("/questions after the undelivered reply:\n%s", got)
	}
}

// TestReplyToALowRatingOfWhoBlockedTheBotIsReported: the same for the
// owner's reply under a low-rating alert: told, and the rating does not
// count as answered.
func TestReplyToALowRatingOfWhoBlockedTheBotIsReported(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("2⭐")
	owner.Sync()
	anna.U.Block()
	owner.Tap("↩️ Reply").Send("So sorry, Anna!")
	h.Settle()
	owner.Sync()
	if got := owner.Last().Text; !strings.Contains(got, "not delivered to Anna") || !strings.Contains(got, "So sorry, Anna!") {
		t.Fatalf("no word of the reply that did not go:\n%s", owner.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE answered OR resolution = 'replied'`); n != 0 {
		t.Fatalf("%d ratings count as answered by a reply that never reached the customer", n)
	}
}

// TestOwnersMessageToWhoBlockedTheBotIsReported: ✉️ Write under the
// customer card, the customer having blocked the bot unknown to it:
// one notice per message that did not go, none for a broadcast.
func TestOwnersMessageToWhoBlockedTheBotIsReported(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	join(t, h, 101, "Anna").U.Block()
	owner.Send("/customer +79990000101").Tap("✉️ Write to Anna").Send("Your oat milk has come.")
	h.Settle()
	owner.Sync()
	if got := owner.Last().Text; !strings.Contains(got, "not delivered to Anna") || !strings.Contains(got, "Your oat milk has come.") {
		t.Fatalf("no word of the message that did not go:\n%s", owner.Transcript())
	}
	if n := strings.Count(owner.Transcript(), "not delivered to Anna"); n != 1 {
		t.Fatalf("%d notices for one message:\n%s", n, owner.Transcript())
	}
}

// TestSameMinuteQuestionsAreToldApartInTheList: two questions of one
// customer in the same minute have buttons one can tell apart, matching
// the lines of the list.
func TestSameMinuteQuestionsAreToldApartInTheList(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	anna := join(t, h, 101, "Anna")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	anna.Send("Is there parking?").Tap("✉️ Send")
	owner.Sync().Send("/questions")
	got := owner.Last()
	b := got.Buttons()
	if len(b) != 2 || b[0] == b[1] {
		t.Fatalf("the buttons of two questions: %q\n%s", b, got.Text)
	}
	if !strings.Contains(got.Text, "2. Anna, 22.11 15:00: Is there parking?") || b[1] != "↩️ 2. Anna, 22.11 15:00" {
		t.Fatalf("the second question's line and button:\n%s\n%q", got.Text, b)
	}
	owner.Tap(b[1]).Send("Yes, behind the shop.")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Yes, behind the shop.") {
		t.Fatalf("the answer:\n%s", anna.Transcript())
	}
	owner.Send("/questions")
	if got := owner.Last().Text; !strings.Contains(got, "oat milk") || strings.Contains(got, "parking") {
		t.Fatalf("the answer went to the wrong question:\n%s", got)
	}
}
