package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestBlockedCustomersQuestionCanBeClosedFromTheList: Anna asks two
// questions and blocks the bot; Olga's reply to the first meets the 403.
// From /questions, Reply on the second says a reply would not reach Anna
// and that the question can be marked as needing no answer: the button
// to do so is there (the list has none, and the alert is far up the
// chat), so the question stops waiting in /questions and the digest.
// The first, whose reply never reached Anna, waits there too and is
// closed alike.
func TestBlockedCustomersQuestionCanBeClosedFromTheList(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	anna := join(t, h, 101, "Anna")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	anna.Send("Is there parking?").Tap("✉️ Send")
	owner.Sync()
	anna.U.Block()
	owner.TapOld(owner.U.Messages()[len(owner.U.Messages())-2].ID, "↩️ Reply").Send("Yes, we do.")
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM customers WHERE unreachable_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d customers marked unreachable after the 403", n)
	}

	for _, b := range []string{"↩️ 2. Anna, 22.11 15:00", "↩️ 1. Anna, 22.11 15:00"} {
		owner.Send("/questions").Tap(b)
		if got := owner.Last(); !strings.Contains(got.Text, "This customer has blocked the bot") ||
			strings.Join(got.Buttons(), "|") != "✅ No answer needed" {
			t.Fatalf("Reply from the list on a blocked customer's question:\n%s\n%v", got.Text, got.Buttons())
		}
		owner.Tap("✅ No answer needed")
	}
	owner.Send("/questions")
	if got := owner.Last().Text; !strings.HasPrefix(got, "✉️ No question to the shop waits") {
		t.Fatalf("the question still waits:\n%s", owner.Transcript())
	}
}

// TestMembersStickerOrVoiceSaysToWriteTheQuestion: a member's message
// the shop cannot be given (a voice note, a sticker, a file: the same
// kind of input) outside any step is refused for what it is, with the
// way to ask the shop (in writing), not "I didn't catch that".
func TestMembersStickerOrVoiceSaysToWriteTheQuestion(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	anna := join(t, h, 101, "Anna")
	anna.Sticker()
	if got := anna.Last().Text; !strings.Contains(got, "write it here as text") || strings.Contains(got, "didn't catch") {
		t.Fatalf("a member's sticker outside any step:\n%s", anna.Transcript())
	}
	anna.Send("Do you have oat milk?")
	if got := anna.Last(); !strings.Contains(got.Text, "“Do you have oat milk?”") || len(got.Buttons()) != 2 {
		t.Fatalf("the question written after:\n%s", anna.Transcript())
	}
}

// TestErasedCustomersQuestionOnTheCardSaysItsWordsWent: Anna asks the
// shop something and then deletes her data; her card still lists the
// question (the counts stay), its words blanked: the line says they went
// with her data, not empty quotes.
func TestErasedCustomersQuestionOnTheCardSaysItsWordsWent(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	anna := join(t, h, 101, "Anna")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	_, card := customer(t, h, 101)
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	owner.Send("/customer " + card.Number)
	got := owner.Last().Text
	if !strings.Contains(got, "Questions to the shop") || strings.Contains(got, "“”") || !strings.Contains(got, "words were deleted with the customer's data") {
		t.Fatalf("the erased customer's question on her card:\n%s", got)
	}
}
