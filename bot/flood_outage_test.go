package bot_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// awayStore is the store with PostgreSQL away for intake's writes.
type awayStore struct {
	domain.Store
	away *atomic.Bool
}

func (s awayStore) SaveUpdates(ctx context.Context, us []domain.RawUpdate) ([]bool, error) {
	if s.away.Load() {
		return nil, fmt.Errorf("save updates: %w: connection refused", domain.ErrUnavailable)
	}
	return s.Store.SaveUpdates(ctx, us)
}

func (s awayStore) SaveUpdate(ctx context.Context, id, chat int64, p []byte) (bool, error) {
	if s.away.Load() {
		return false, fmt.Errorf("save update: %w: connection refused", domain.ErrUnavailable)
	}
	return s.Store.SaveUpdate(ctx, id, chat, p)
}

// TestOutageDoesNotFloodAPerson: with the default flood limit (a
// burst of 20, then one a second), a person sends three messages while
// PostgreSQL is away for 15 s (a failover). README: "The database going
// away ... is not a failure of the update"; only an unreachable database
// makes Telegram deliver again. The three are re-polled every second and
// must all be stored and answered once the database is back; the person
// sent three messages, not a flood.
func TestOutageDoesNotFloodAPerson(t *testing.T) {
	t.Parallel()
	away := &atomic.Bool{}
	h := bottest.NewWithBot(t, func(c *bot.Config) {
		c.FloodBurst, c.FloodEvery, c.Now = 0, 0, time.Now // the production defaults, the wall clock
		c.Store = awayStore{Store: c.Store, away: away}
	})
	u := h.Fake.User(5151, "Anna", "en")
	u.SendText("/help")
	h.Settle()
	answered := len(u.Messages()) // one message answers a /help
	if answered != 1 {
		t.Fatalf("/help answered with %d messages, want 1", answered)
	}

	away.Store(true)
	for range 3 {
		u.SendText("/help")
	}
	time.Sleep(15 * time.Second)
	away.Store(false)
	h.Settle()

	stored := count(t, h, `SELECT count(*) FROM updates WHERE chat_id = 5151`)
	if stored != 4 {
		t.Errorf("%d of the chat's 4 updates stored; the ones sent during the outage were dropped as a flood", stored)
	}
	var got []string
	for _, m := range u.Messages()[answered:] {
		got = append(got, m.Text)
	}
	if len(got) != 3 {
		t.Errorf("after the outage the person got %d messages, want 3 (three answers to /help):\n%q", len(got), got)
	}
}
