package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStaleButtonPastCommentWaitDoesNotReaskComment: Anna tapped 2⭐ and
// left the comment open; three hours later she taps a button of an old
// message (a stale flow button). The stale tap asks the pending step
// again (resume); past commentWait the comment must not be asked again
// (9af7c63), or the words she writes in answer are offered to the shop
// as a question instead of kept as the comment.
func TestStaleButtonPastCommentWaitDoesNotReaskComment(t *testing.T) {
	t.Parallel()
	h, anna := ratedTwoStars(t)
	old := 0
	for _, m := range anna.U.Messages() {
		if strings.Contains(m.Text, "Nice to meet you") {
			old = m.ID
		}
	}
	h.Clock.Advance(3 * time.Hour)
	anna.Callback(old, "onboarding:marketing:0000:no", "a button of an old onboarding message")
	asked := false
	for _, m := range anna.U.Messages() {
		if m.ID == old && strings.Contains(m.Text, "Would you like to tell us more?") {
			asked = true
		}
	}
	anna.Send("The cup was dirty")
	kept := countRows(t, h, `SELECT count(*) FROM feedback WHERE comment = 'The cup was dirty'`) == 1
	if asked && !kept {
		t.Fatalf("a stale tap past commentWait asked the comment again, but the answer was not kept as the comment:\n%s", anna.Transcript())
	}
}

// TestStickerPastCommentWaitIsNotToldToWriteAComment: three hours after
// a 2⭐ tap Anna sends a sticker. She is told "Write your comment as
// text, or tap Skip." while the step has just ended (feedback.Ask, past
// commentWait): the comment she then writes goes to the shop as a
// question.
func TestStickerPastCommentWaitIsNotToldToWriteAComment(t *testing.T) {
	t.Parallel()
	h, anna := ratedTwoStars(t)
	h.Clock.Advance(3 * time.Hour)
	anna.Sticker()
	told := strings.Contains(anna.Last().Text, "Write your comment as text")
	anna.Send("The cup was dirty")
	kept := countRows(t, h, `SELECT count(*) FROM feedback WHERE comment = 'The cup was dirty'`) == 1
	if told && !kept {
		t.Fatalf("told to write the comment, then the comment was not kept:\n%s", anna.Transcript())
	}
}

// ratedTwoStars has Anna, a member, buy at Boris's till and tap 2⭐ in
// /feedback, the comment step left open.
func ratedTwoStars(t *testing.T) (*bottest.Harness, *bottest.Chat) {
	t.Helper()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("2⭐")
	return h, anna
}
