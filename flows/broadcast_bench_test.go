package flows_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// queueBroadcast queues a broadcast to everyone who consented through the
// use case, as /broadcast does, to go out at notBefore.
func queueBroadcast(b *testing.B, h *bottest.Harness, notBefore time.Time) int {
	b.Helper()
	var queued int
	err := h.DB.Update(context.Background(), func(tx domain.Tx) error {
		owner := &domain.Staff{TelegramID: ownerID, ChatID: ownerID, FirstName: "Olga", Role: domain.RoleOwner}
		if err := tx.SaveStaff(context.Background(), owner); err != nil {
			return err
		}
		bc := &domain.Broadcast{Text: "News for everyone", NotBefore: notBefore}
		p := domain.BroadcastPayloads{Default: "en", ByLanguage: map[string]json.RawMessage{}}
		for _, lang := range h.Biz.Languages {
			p.ByLanguage[lang] = []byte(`{"chat_id":0,"text":"News for everyone"}`)
		}
		if err := h.Engine.Service.SendBroadcast(context.Background(), tx, owner, bc, p); err != nil {
			return err
		}
		queued = bc.Queued
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return queued
}

// BenchmarkBroadcastQueue100k measures queueing a broadcast to 100,000
// customers: the audience query and one INSERT … SELECT into the outbox.
// The messages are due in a day, so the sender leaves them alone.
func BenchmarkBroadcastQueue100k(b *testing.B) {
	h := bottest.New(b)
	seedMembers(b, h, 10_000_000, 100_000, false)
	b.ResetTimer()
	for range b.N {
		if n := queueBroadcast(b, h, h.Clock.Now().Add(24*time.Hour)); n != 100_000 {
			b.Fatalf("queued %d", n)
		}
	}
}

// BenchmarkBroadcastSend measures the sender's own overhead: b.N queued
// broadcast messages delivered to the fake Telegram with the rate limit
// raised (claim, lease, HTTP call, mark sent), reported as messages/s.
func BenchmarkBroadcastSend(b *testing.B) {
	h := bottest.New(b)
	seedMembers(b, h, 20_000_000, b.N, true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b.ResetTimer()
	start := time.Now()
	if n := queueBroadcast(b, h, h.Clock.Now()); n != b.N {
		b.Fatalf("queued %d", n)
	}
	if err := h.Bot.WaitIdle(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
