package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestReplyAfterNoAnswerNeededCountsAsAnswered: Olga marks Anna's
// question "No answer needed", then thinks again and answers it from the
// evening digest she got before. Anna gets the answer, so the question is
// an answered one: in the owners' report (answered) and on the customer
// card, not "closed without an answer".
func TestReplyAfterNoAnswerNeededCountsAsAnswered(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	anna := join(t, h, 101, "Anna")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	owner.Sync()
	alert := owner.Last().ID
	h.Clock.Advance(time.Hour)
	if _, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	digest := owner.Sync().Last().ID
	owner.TapOld(alert, "✅ No answer needed")
	owner.TapOld(digest, "↩️ 1. Anna, 22.11 15:00").Send("Yes, we do: 40 ₽ extra.")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Yes, we do: 40 ₽ extra.") {
		t.Fatalf("the answer did not reach Anna:\n%s\nowner:\n%s", anna.Transcript(), owner.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM inquiries WHERE answered AND resolution = 'replied'`); n != 1 {
		t.Fatalf("the question Anna got an answer to is kept as closed without one (%d answered)", n)
	}
}

// TestReplyToTheCommentAfterResolvedCountsAsAnswered: Anna rates her
// visit 2 stars (an alert) and writes why (a second alert). Olga taps
// ✅ Resolved on the first, then reads the comment and answers Anna from
// the second. Anna got an answer: the rating is an answered one, not
// "resolved" with no word to the customer.
func TestReplyToTheCommentAfterResolvedCountsAsAnswered(t *testing.T) {
	t.Parallel()
	h, owner, anna := lowRating(t)
	owner.Sync()
	var alerts []int
	for _, m := range owner.U.Messages() {
		if slices.Contains(m.Buttons(), "✅ Resolved") {
			alerts = append(alerts, m.ID)
		}
	}
	if len(alerts) != 2 {
		t.Fatalf("%d alerts, want the rating's and the comment's:\n%s", len(alerts), owner.Transcript())
	}
	owner.TapOld(alerts[0], "✅ Resolved")
	owner.TapOld(alerts[1], "↩️ Reply").Send("Sorry about the cup, it won't happen again.")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Sorry about the cup") {
		t.Fatalf("the answer did not reach Anna:\n%s\nowner:\n%s", anna.Transcript(), owner.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE answered AND resolution = 'replied'`); n != 1 {
		t.Fatalf("the rating Anna got an answer to is kept as resolved without one")
	}
}
