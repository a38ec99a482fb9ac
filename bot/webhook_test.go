package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
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
