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
