package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestWebhookBeforeStart: `serve` builds its HTTP mux with the
// webhook handler and serves it (serveHTTP) before startBot calls
// Bot.Start, while Telegram already delivers to the webhook set by the
// previous run. A delivery in that window must be stored and answered,
// not crash the handler.
func TestWebhookBeforeStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewDB(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b, err := bot.New(bot.Config{Token: "123:test", APIURL: "http://127.0.0.1:1", Store: db})
	if err != nil {
		t.Fatal(err)
	}
	hook := b.WebhookHandler("secret-secret-secret-1234")
	req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", strings.NewReader(
		`{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "first_name": "A"}, "text": "/help"}}`))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "secret-secret-secret-1234")
	w := httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("a delivery before Start panics the handler: %v", p)
			}
		}()
		hook.ServeHTTP(w, req)
	}()
	if w.Code != http.StatusOK && w.Code != http.StatusServiceUnavailable {
		t.Fatalf("answered %d", w.Code)
	}
}
