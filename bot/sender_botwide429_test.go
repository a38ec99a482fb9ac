package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/flows"
)

// TestBotWide429HoldsEveryChat: Telegram tells two chats to wait at once
// (a broadcast over the bot's limit, not one chat's flood): the limit is
// the bot's, so a third chat's message waits too instead of being sent
// into another 429, and goes once the wait is over. One chat's 429 holds
// only that chat (TestChatsNextMessageWaitsOutTheWithdrawnOnesRetryAfter
// and the sender tests).
func TestBotWide429HoldsEveryChat(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	for _, chat := range []int64{501, 502} {
		h.Fake.User(chat, "U", "en")
		h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Code: 429, Description: "Too Many Requests: retry after 3", RetryAfter: 3, ChatID: chat})
	}
	c := h.Fake.User(503, "Carol", "en")
	enqueue(t, h, flows.Reply{ChatID: 501, Text: "A"}, flows.Reply{ChatID: 502, Text: "B"})
	eventually(t, "both put off", func() bool {
		return count(t, h, `SELECT count(*) FROM outbox WHERE chat_id IN (501, 502) AND retry_at IS NOT NULL`) == 2
	})
	enqueue(t, h, flows.Reply{ChatID: 503, Text: "C"})
	time.Sleep(700 * time.Millisecond)
	if n := sendCalls(h, 503); n != 0 {
		t.Fatalf("chat C was sent to %d times while Telegram had the bot wait", n)
	}
	if n := count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 503 AND retry_at IS NOT NULL AND sent_at IS NULL`); n != 1 {
		t.Fatalf("chat C's message is not put off (%d rows)", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.WaitMessages(ctx, 1); err != nil {
		t.Fatalf("C never sent once the wait was over: %v", err)
	}
}
