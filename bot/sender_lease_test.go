package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/flows"
)

// leaseWatch is the real outbox with its renewals counted; aged makes
// every claim look asked for that long ago (a batch that waited), and
// with takeOver another sender claims the row (its lease having lapsed,
// as far as that sender could tell) just before it is renewed.
type leaseWatch struct {
	domain.Outbox
	db       *postgres.DB
	takes    atomic.Int32
	aged     time.Duration
	takeOver bool
}

func (w *leaseWatch) age(ms []domain.OutMessage) {
	for i := range ms {
		ms[i].LeasedAt = ms[i].LeasedAt.Add(-w.aged)
	}
}

func (w *leaseWatch) Claim(ctx context.Context, limit int, hold time.Duration) ([]domain.OutMessage, error) {
	ms, err := w.Outbox.Claim(ctx, limit, hold)
	w.age(ms)
	return ms, err
}

func (w *leaseWatch) ClaimChat(ctx context.Context, chatID, before int64, hold time.Duration) ([]domain.OutMessage, error) {
	ms, err := w.Outbox.ClaimChat(ctx, chatID, before, hold)
	w.age(ms)
	return ms, err
}

func (w *leaseWatch) Take(ctx context.Context, m domain.OutMessage, hold time.Duration) (bool, error) {
	w.takes.Add(1)
	if w.takeOver {
		if _, err := w.db.Pool().Exec(ctx, `UPDATE outbox SET attempts = attempts + 1,
			claimed_until = now() + interval '1 hour' WHERE id = $1`, m.ID); err != nil {
			return false, err
		}
	}
	return w.Outbox.Take(ctx, m, hold)
}

// TestClaimedMessagesGoWithoutRenewingAFreshLease: the background
// sender sends what it has just claimed without a renewal (a transaction
// of its own per message); a claim that waited until its lease might not
// outlast a send is renewed first, and a row found taken over then is
// not sent.
func TestClaimedMessagesGoWithoutRenewingAFreshLease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		aged     time.Duration
		takeOver bool
		takes    int32 // renewals for the chat's three messages
		sent     int
	}{
		{"fresh", 0, false, 0, 3},
		{"old", 40 * time.Second, false, 3, 3},
		{"old, taken over", 40 * time.Second, true, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			db, fake := openDBAndFake(ctx, t, 4)
			u := fake.User(501, "Anna", "en")
			api, err := bot.NewTelegram("1:test", fake.URL(), 4, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(ctx, func(tx domain.Tx) error {
				for _, text := range []string{"one", "two", "three"} {
					payload, _ := json.Marshal(flows.Reply{ChatID: 501, Text: text})
					if _, err := tx.Enqueue(ctx, domain.OutMessage{ChatID: 501, Payload: payload}, false); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			w := &leaseWatch{Outbox: db.Outbox(), db: db, aged: tc.aged, takeOver: tc.takeOver}
			s := bot.NewSender(api, w, slog.New(slog.NewTextHandler(io.Discard, nil)), bot.NewMetrics())
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { s.Run(runCtx, 20*time.Millisecond); close(done) }()
			if tc.sent > 0 {
				if _, err := u.WaitMessages(ctx, tc.sent); err != nil {
					t.Fatal(err)
				}
			} else {
				for w.takes.Load() < tc.takes {
					time.Sleep(5 * time.Millisecond)
				}
				time.Sleep(200 * time.Millisecond) // ten more rounds of the sender, which must not send
			}
			stop()
			<-done
			if got := w.takes.Load(); got != tc.takes {
				t.Errorf("%d renewals, want %d", got, tc.takes)
			}
			if got := texts(u.Messages()); len(u.Messages()) != tc.sent || tc.sent == 3 && got != "one | two | three" {
				t.Errorf("Anna got %q, want %d messages in order", got, tc.sent)
			}
			if tc.takeOver {
				// Another sender holds the first; the rest wait behind it.
				if n, err := db.Outbox().Pending(ctx); err != nil || n != 3 {
					t.Errorf("%d messages pending (%v), want all 3 left to the sender that took the first over", n, err)
				}
			}
		})
	}
}

// openDBAndFake gives a test a database of its own (conns connections)
// and a fake Telegram, both closed when the test ends, for a test that
// wires the bot's parts itself.
func openDBAndFake(ctx context.Context, t *testing.T, conns int32) (*postgres.DB, *tgfake.Server) {
	t.Helper()
	db, err := postgres.Open(ctx, pgtest.NewDB(t), conns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	fake, err := tgfake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	return db, fake
}
