package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/flows"
)

// TestStopFinishesTheSendUnderWay: a shutdown while Telegram is still
// answering a send lets the request finish and marks the message sent,
// instead of cutting it off and leaving it to be sent again after the
// restart (the outbox's one window for a duplicate is a crash in that
// moment, not a graceful stop).
func TestStopFinishesTheSendUnderWay(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	u := h.Fake.User(351, "Anna", "en")
	stall := make(chan struct{})
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Stall: stall})
	enqueue(t, h, flows.Reply{ChatID: 351, Text: "happy birthday"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.Fake.WaitFor(ctx, func() bool { return sendCalls(h, 351) == 1 }); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- h.Bot.Stop(10 * time.Second) }()
	// Stop cancels the sender at once; give it the moment to (wrongly)
	// abort the request before Telegram answers.
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned while a send was under way: %v", err)
	default:
	}
	close(stall)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if n := count(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 351 AND sent_at IS NOT NULL`); n != 1 {
		t.Errorf("the message Telegram took is not marked sent (%d rows), so a restart would send it again", n)
	}
	if got := u.Messages(); len(got) != 1 {
		t.Errorf("Anna got %d messages, want 1", len(got))
	}
}
