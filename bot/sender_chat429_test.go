package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/flows"
)

// TestChatsNextMessageWaitsOutTheWithdrawnOnesRetryAfter: Telegram tells
// chat A to wait 30 s on its first message (a rating request, say); the
// chat's second message waits behind it. Then the first is withdrawn (the
// visit was cancelled, the broadcast called off): Telegram's wait was the
// chat's, not the message's, so the second must still wait it out rather
// than go at once and meet another 429. Once the wait is over it goes.
func TestChatsNextMessageWaitsOutTheWithdrawnOnesRetryAfter(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	a := h.Fake.User(301, "Anna", "en")
	h.Fake.FailNext("sendMessage", 1, tooMany(301))
	enqueue(t, h, flows.Reply{ChatID: 301, Text: "A1"}, flows.Reply{ChatID: 301, Text: "A2"})
	eventually(t, "A1 put off", func() bool {
		return count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 301 AND retry_at IS NOT NULL`) > 0
	})
	// The withdrawal, as WithdrawFeedbackRequest or CancelBroadcast makes it.
	if _, err := h.DB.Pool().Exec(context.Background(), `UPDATE outbox SET dropped_at = now(), last_error = 'not needed', payload = '{}'
		WHERE id = (SELECT min(id) FROM outbox WHERE chat_id = 301)`); err != nil {
		t.Fatal(err)
	}
	h.Bot.Sender().Kick()
	time.Sleep(1500 * time.Millisecond) // several rounds of the background sender
	if n := sendCalls(h, 301); n != 1 {
		t.Fatalf("chat A was sent to %d times within Telegram's 30 s wait (got %q): its next message went at once", n, texts(a.Messages()))
	}
	retryPasses(t, h, 301)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := a.WaitMessages(ctx, 1); err != nil {
		t.Fatalf("A2 never sent once the wait was over: %v", err)
	}
	if got := texts(a.Messages()); got != "A2" {
		t.Errorf("A got %s, want A2", got)
	}
}
