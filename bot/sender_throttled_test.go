package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/flows"
)

// TestThrottledSendsDoNotUseUpTheAttempts: a chat's message meets
// Telegram's per-chat 429 ten times (a busy chat during a broadcast), each
// waited out as asked, then one 502. A 429 is not a failure of the message
// (README: it "waits out its retry_after in the outbox and loses
// nothing"), so the 502 must only put it off; the message must still be
// delivered.
func TestThrottledSendsDoNotUseUpTheAttempts(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	const chat = 4242
	u := h.Fake.User(chat, "Anna", "en")
	state := func() (attempts int, retry, dropped bool) {
		err := h.DB.Pool().QueryRow(context.Background(), `SELECT attempts, retry_at IS NOT NULL, dropped_at IS NOT NULL
			FROM outbox WHERE chat_id = $1`, int64(chat)).Scan(&attempts, &retry, &dropped)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	for i := 0; i < 10; i++ {
		h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1, ChatID: chat})
	}
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Code: 502, Description: "Bad Gateway", ChatID: chat})
	enqueue(t, h, flows.Reply{ChatID: chat, Text: "your birthday bonus"})
	// Stand in for waiting out each retry_after (and the backoff after the 502).
	for calls := 1; calls <= 11; calls++ {
		eventually(t, "the send is put off or dropped", func() bool {
			_, retry, dropped := state()
			return sendCalls(h, chat) == calls && (retry || dropped)
		})
		if _, _, dropped := state(); dropped {
			a, _, _ := state()
			t.Fatalf("after %d calls (10 × 429, then one 502) the message was dropped, attempts=%d: never delivered", calls, a)
		}
		retryPasses(t, h, chat)
		// retry_at is reset to now(); wait for the claim to take it
		eventually(t, "the next call", func() bool { return sendCalls(h, chat) > calls || func() bool { _, r, d := state(); return d || !r }() })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := u.WaitMessages(ctx, 1); err != nil {
		t.Fatalf("message never delivered: %v", err)
	}
}
