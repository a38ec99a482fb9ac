package bot_test

import (
	"context"
	"fmt"
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

func TestWebhookDeliveryAndSecret(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	srv := httptest.NewServer(h.Bot.WebhookHandler("s3cret_token"))
	defer srv.Close()

	// A request without the right secret changes nothing.
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"update_id": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no secret: HTTP %d, want 401", resp.StatusCode)
	}
	if n := count(t, h, `SELECT count(*) FROM updates`); n != 0 {
		t.Fatal("an update without the secret was stored")
	}
	// A wrong secret, one of the right length, the right one with a
	// suffix or in another header, and any secret when the bot was given
	// none: all refused, nothing stored.
	open := httptest.NewServer(h.Bot.WebhookHandler(""))
	defer open.Close()
	update := `{"update_id": 6, "message": {"message_id": 1, "date": 1763800000, "chat": {"id": 77, "type": "private"}, "from": {"id": 77, "first_name": "Eve"}, "text": "/start"}}`
	for _, c := range []struct{ url, header, value string }{
		{srv.URL, "X-Telegram-Bot-Api-Secret-Token", "wrong"},
		{srv.URL, "X-Telegram-Bot-Api-Secret-Token", "s3cret_tokex"},
		{srv.URL, "X-Telegram-Bot-Api-Secret-Token", "s3cret_token2"},
		{srv.URL, "X-Telegram-Bot-Api-Secret", "s3cret_token"},
		{open.URL, "X-Telegram-Bot-Api-Secret-Token", ""},
		{open.URL, "X-Telegram-Bot-Api-Secret-Token", "anything"},
	} {
		req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(update))
		req.Header.Set(c.header, c.value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: %q: HTTP %d, want 401", c.header, c.value, resp.StatusCode)
		}
	}
	if n := count(t, h, `SELECT count(*) FROM updates`); n != 0 {
		t.Fatal("an update with a wrong secret was stored")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Setting a webhook makes the fake push updates (and refuse getUpdates,
	// so the harness's poller idles, as against real Telegram).
	if err := h.Bot.SetWebhook(ctx, srv.URL, "s3cret_token"); err != nil {
		t.Fatal(err)
	}
	c := h.Chat(301, "Olga", "en")
	c.Send("/start")
	if !strings.Contains(c.Transcript(), "Do you agree") {
		t.Fatalf("webhook update not handled:\n%s", c.Transcript())
	}
}

// earlierCounter is the database, counting the bot's look-ups of a
// chat's earlier pending updates.
type earlierCounter struct {
	domain.Store
	n atomic.Int32
}

func (c *earlierCounter) EarlierPendingUpdates(ctx context.Context, chatID, updateID int64, since time.Time) ([]domain.RawUpdate, error) {
	c.n.Add(1)
	return c.Store.EarlierPendingUpdates(ctx, chatID, updateID, since)
}

// TestWebhookWaitsForAChatsEarlierUpdateOnlyWhenOneIsPending: by
// webhook, an update whose chat had nothing pending when it was stored is
// handled without looking for earlier ones (Telegram sends a chat's next
// update only once this one is answered); one stored while an earlier
// update of its chat was pending (stored by another replica, not handled
// yet) has that one handled first, so the answers keep the order sent.
func TestWebhookWaitsForAChatsEarlierUpdateOnlyWhenOneIsPending(t *testing.T) {
	t.Parallel()
	var store *earlierCounter
	h := bottest.NewWithBot(t, func(c *bot.Config) {
		store = &earlierCounter{Store: c.Store}
		c.Store = store
	})
	srv := httptest.NewServer(h.Bot.WebhookHandler("s3cret_token"))
	defer srv.Close()
	u := h.User(401, "Olga", "en")
	update := func(id int64, text string) string {
		return fmt.Sprintf(`{"update_id": %d, "message": {"message_id": %d, "date": 1763800000,
			"chat": {"id": 401, "type": "private"}, "from": {"id": 401, "first_name": "Olga", "language_code": "en"},
			"text": %q, "entities": [{"type": "bot_command", "offset": 0, "length": %d}]}}`, id, id, text, len(text))
	}
	post := func(id int64, text string) {
		t.Helper()
		if code := postWebhook(t, srv.URL, "s3cret_token", update(id, text)); code != http.StatusOK {
			t.Fatalf("update %d: HTTP %d", id, code)
		}
		h.Settle()
	}
	post(1001, "/help")
	if n := store.n.Load(); n != 0 {
		t.Errorf("%d look-ups for earlier updates of a chat with none pending", n)
	}
	// Another replica stored the chat's next update and has not handled
	// it yet; the one after it comes here.
	if _, err := h.DB.SaveUpdate(context.Background(), 1002, 401, []byte(update(1002, "/help"))); err != nil {
		t.Fatal(err)
	}
	post(1003, "/start")
	if n := store.n.Load(); n != 1 {
		t.Errorf("%d look-ups for earlier updates, want 1 (for update 1003)", n)
	}
	var texts []string
	for _, m := range u.Messages() {
		texts = append(texts, m.Text)
	}
	if len(texts) < 3 || !strings.HasPrefix(texts[0], "Here is what I can do") ||
		!strings.HasPrefix(texts[1], "Here is what I can do") || strings.HasPrefix(texts[2], "Here is what I can do") {
		t.Errorf("answers, want /help twice, then /start's:\n%s", strings.Join(texts, "\n---\n"))
	}
	if n := count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d updates not handled", n)
	}
}

// postWebhook posts body to a webhook as Telegram does, with the secret
// token, and returns the HTTP status.
func postWebhook(t *testing.T, url, secret, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
