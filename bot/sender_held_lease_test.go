package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/flows"
)

// TestHeldReplyStartsOnlyWithinItsLease: an update's four
// replies are held by its transaction (lease: 1 minute) and sent by the
// worker right after commit (SendHeld), while Telegram is slow (19 s a
// call, under the 20 s cut-off). README: "a send is cut off at 20 s, and
// starts only while the lease has that and 5 s more to run". The fourth
// reply starts 57 s into its lease without renewing it; at 60 s the
// background sender takes the row over and sends it too: the person gets
// it twice.
func TestHeldReplyStartsOnlyWithinItsLease(t *testing.T) {
	if testing.Short() {
		t.Skip("80 s")
	}
	t.Parallel()
	h := bottest.New(t)
	const chat = 7373
	u := h.Fake.User(chat, "Anna", "en")
	h.Fake.FailNext("sendMessage", 4, tgfake.Failure{Delay: 19 * time.Second, ChatID: chat})
	ctx := context.Background()
	since := time.Now()
	var held []*domain.OutMessage
	err := h.DB.Update(ctx, func(tx domain.Tx) error {
		held = held[:0]
		for i := 1; i <= 4; i++ {
			payload, _ := json.Marshal(flows.Reply{ChatID: chat, Text: fmt.Sprintf("reply %d", i)})
			m := &domain.OutMessage{ChatID: chat, Payload: payload}
			if err := tx.Hold(ctx, m); err != nil {
				return err
			}
			held = append(held, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ms []domain.OutMessage
	for _, m := range held {
		if !m.Held {
			t.Fatalf("reply %d not held", m.ID)
		}
		ms = append(ms, *m)
	}
	h.Bot.Sender().SendHeld(ctx, ms, since) // the worker, right after commit
	h.Settle()
	if got, want := texts(u.Messages()), "reply 1 | reply 2 | reply 3 | reply 4"; got != want {
		t.Fatalf("the person got %q, want %q", got, want)
	}
}
