package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestBroadcastReportAddsUpWhenAnErasureMeetsASendUnderWay: a recipient
// erases their data while the sender holds their broadcast message (leased,
// the request on its way). The message goes and is marked sent; the
// report must count it once, not as sent and as withdrawn both.
func TestBroadcastReportAddsUpWhenAnErasureMeetsASendUnderWay(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	joinConsenting(t, h, 391, "Anna")
	boris := joinConsenting(t, h, 392, "Boris")
	owner.Send("/broadcast").Send("Tasting tonight").Tap("👥 Everyone who agreed to offers").
		Tap("⏰ Schedule").Send("today at 18:00").Tap("✅ Send to 2 customers")
	h.Settle()
	ctx := context.Background()
	// A sender's lease on Boris's message, as Outbox.Claim takes it.
	var id int64
	if err := h.DB.Pool().QueryRow(ctx, `UPDATE outbox SET claimed_until = now() + interval '10 minutes'
		WHERE chat_id = 392 AND broadcast_id IS NOT NULL RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	boris.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	// The request Telegram took: the sender marks it sent, as it does.
	if err := h.DB.Outbox().MarkSent(ctx, id); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(3 * time.Hour)
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE id = $1 AND sent_at IS NOT NULL AND dropped_at IS NOT NULL`, id); n != 0 {
		t.Errorf("the message is both sent and dropped")
	}
	runReportJob(t, h)
	last := owner.Sync().Last().Text
	if strings.Contains(last, "2 of 2 sent") && strings.Contains(last, "1 customer opted out") {
		t.Errorf("the report counts one message twice (2 queued, 2 sent + 1 withdrawn): %q", last)
	}
}
