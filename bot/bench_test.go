package bot_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/flows"
)

// BenchmarkEngineStart measures the core of one update: a new person's
// /start handled in one Postgres transaction (claim update, lock the
// conversation, look the customer up, write two replies to the outbox).
func BenchmarkEngineStart(b *testing.B) {
	h := bottest.New(b)
	ctx := context.Background()
	var id atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := id.Add(1)
			in := flows.Input{ChatID: 1_000_000 + n, Kind: flows.InputCommand, Command: "start", Text: "/start",
				User: flows.User{ID: 1_000_000 + n, FirstName: "Bench", LanguageCode: "en"}}
			if _, err := h.Engine.Handle(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOnboardingUpdateEndToEnd measures one update through everything:
// the fake Telegram queues it, long polling fetches it, it is stored,
// handled in Postgres, and both replies are sent back over HTTP.
func BenchmarkOnboardingUpdateEndToEnd(b *testing.B) {
	h := bottest.New(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b.ResetTimer()
	for i := range b.N {
		u := h.Fake.User(int64(2_000_000+i), fmt.Sprint("U", i), "en")
		u.SendText("/start")
		if _, err := u.WaitMessages(ctx, 2); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloodedUpdate measures what an update over its chat's flood
// limit costs at intake, once the person has been told to slow down: it is
// read (its head), counted against the bucket and dropped, with no
// database write. Compare with BenchmarkEngineStart, a handled update.
func BenchmarkFloodedUpdate(b *testing.B) {
	h := bottest.NewWithBot(b, func(c *bot.Config) { c.FloodBurst, c.FloodEvery = 1, time.Hour })
	ctx := context.Background()
	raw := func(id int) []byte {
		return fmt.Appendf(nil, `{"update_id": %d, "message": {"message_id": %d, "date": 1763800000,
			"chat": {"id": 4242, "type": "private"}, "from": {"id": 4242, "first_name": "Flo"}, "text": "/help"}}`, id, id)
	}
	for i := range 2 { // the one admitted, then the slow-down
		if err := h.Bot.Accept(ctx, raw(9_000_000+i)); err != nil {
			b.Fatal(err)
		}
	}
	h.Settle()
	b.ResetTimer()
	for i := range b.N {
		if err := h.Bot.Accept(ctx, raw(9_000_100+i)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var stored int
	if err := h.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM updates WHERE chat_id = 4242`).Scan(&stored); err != nil {
		b.Fatal(err)
	}
	if stored != 2 {
		b.Fatalf("%d updates stored, want the 2 before the flood", stored)
	}
}
