package flows_test

import (
	"context"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestCardMoveGivesTheReroutedMessageAFreshStart: Anna's rating request
// had failed to reach her old account again and again (Telegram's
// errors, nine times), and a sender was on its tenth try when her card
// moved; the old account answered 403. The request goes to her new
// account, and a single hiccup there (Telegram's 500) is retried like
// any first failure: carried over from the old chat, the failures made
// it the tenth-plus, and the request was dropped for good.
func TestCardMoveGivesTheReroutedMessageAFreshStart(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	join(t, h, 101, "Anna")
	link := cardMoveLink(t, owner, "+79990000101")
	var id int64
	if err := h.DB.Pool().QueryRow(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at, attempts, claimed_until)
		VALUES (101, '{"chat_id": 101, "text": "How was your visit, on its way"}', $1, $1, 10, now() + interval '1 minute')
		RETURNING id`, h.Clock.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	fresh := h.Chat(111, "Anna", "en")
	fresh.U.SendText(link) // no Settle: the held row is pending
	if !waitText(t, fresh, "is in this Telegram account now") {
		t.Fatalf("the card did not move:\n%s", texts(fresh))
	}
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{ChatID: 111, Code: 500, Description: "Internal Server Error"})
	// The other replica's tenth send meets the old account's 403.
	if err := h.DB.Outbox().Drop(context.Background(), domain.OutMessage{ID: id, ChatID: 101, Attempts: 10}, "blocked: Forbidden: user is deactivated"); err != nil {
		t.Fatal(err)
	}
	h.Bot.Sender().Kick()
	if !waitText(t, fresh, "on its way") {
		t.Errorf("the re-routed message was dropped after one error in the new chat:\n%s", texts(fresh))
	}
	h.Settle()
}
