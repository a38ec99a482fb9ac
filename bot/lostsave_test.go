package bot_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// lostSaveAnswer is the database whose first answer to storing updates is
// lost on the way: the INSERT committed, the connection broke before the
// bot heard so (a PostgreSQL restart, a failover, a dropped connection).
type lostSaveAnswer struct {
	domain.Store
	lost atomic.Bool
}

func (s *lostSaveAnswer) SaveDeliveries(ctx context.Context, us []domain.RawUpdate) ([]bool, []bool, error) {
	fresh, behind, err := s.Store.SaveDeliveries(ctx, us)
	if err == nil && s.lost.CompareAndSwap(false, true) {
		return nil, nil, fmt.Errorf("save %d updates: %w: %w", len(us), domain.ErrUnavailable, io.ErrUnexpectedEOF)
	}
	return fresh, behind, err
}

// TestUpdateWhoseStoringAnswerWasLostIsHandled: the update was stored, but
// the bot never heard so and did not confirm it; Telegram delivers it
// again. The second delivery finds it stored: it must still be handled
// (it never was), not dropped as a duplicate until the next start, which
// sets it aside unanswered if it comes more than ReplayWindow later.
func TestUpdateWhoseStoringAnswerWasLostIsHandled(t *testing.T) {
	t.Parallel()
	var store *lostSaveAnswer
	h := bottest.NewWithBot(t, func(c *bot.Config) {
		store = &lostSaveAnswer{Store: c.Store}
		c.Store = store
	})
	srv := httptest.NewServer(h.Bot.WebhookHandler("s3cret_token"))
	defer srv.Close()
	u := h.User(401, "Olga", "en")
	update := `{"update_id": 2001, "message": {"message_id": 1, "date": 1763800000,
		"chat": {"id": 401, "type": "private"}, "from": {"id": 401, "first_name": "Olga", "language_code": "en"},
		"text": "/help", "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}`
	if code := postWebhook(t, srv.URL, "s3cret_token", update); code != http.StatusServiceUnavailable {
		t.Fatalf("first delivery, its storing unconfirmed: HTTP %d, want 503 (Telegram delivers it again)", code)
	}
	if code := postWebhook(t, srv.URL, "s3cret_token", update); code != http.StatusOK {
		t.Fatalf("second delivery: HTTP %d, want 200", code)
	}
	h.Settle()
	if n := count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d updates stored and left unhandled after Telegram's second delivery", n)
	}
	var answered bool
	for _, m := range u.Messages() {
		answered = answered || strings.HasPrefix(m.Text, "Here is what I can do")
	}
	if !answered {
		t.Errorf("/help never answered: its redelivery was taken for a duplicate of an update nobody handled")
	}
}

// TestUpdateAcceptedWhileStoppingIsNotConfirmed: an update that comes in
// as the bot stops is stored, but nobody here will handle it: Accept
// fails, so the webhook answers 503 and Telegram delivers it again (to a
// replica that handles it, the stored update being fresh again), rather
// than 200 and an update left for a start that may be another replica's
// long before.
func TestUpdateAcceptedWhileStoppingIsNotConfirmed(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	if err := h.Bot.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	update := `{"update_id": 3001, "message": {"message_id": 1, "date": 1763800000,
		"chat": {"id": 402, "type": "private"}, "from": {"id": 402, "first_name": "Olga", "language_code": "en"},
		"text": "/help", "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}`
	if err := h.Bot.Accept(t.Context(), []byte(update)); err == nil {
		t.Fatal("an update accepted while stopping was confirmed, and nobody will handle it")
	}
}
