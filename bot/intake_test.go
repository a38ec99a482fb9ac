package bot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// nulThenStart: Anna's text carries U+0000, which Telegram sends as the
// JSON escape \u0000 and PostgreSQL's jsonb refuses; Boris writes /start
// right after. Boris must be answered, and Anna's update must end handled
// (without the NUL) or set aside, never pending.
func nulThenStart(t *testing.T, h *bottest.Harness) {
	t.Helper()
	anna := h.Chat(401, "Anna", "en")
	id := anna.U.SendText("hi\x00there")
	boris := h.Chat(402, "Boris", "en")
	boris.Send("/start")
	if !strings.Contains(boris.Transcript(), "Do you agree") {
		t.Fatalf("the next person was not answered:\n%s", boris.Transcript())
	}
	if n := count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d updates still pending", n)
	}
	handled := count(t, h, `SELECT count(*) FROM updates WHERE update_id = $1 AND processed_at IS NOT NULL
		AND payload->'message'->>'text' = 'hithere'`, id)
	dead := count(t, h, `SELECT count(*) FROM dead_updates WHERE update_id = $1`, id)
	if handled+dead != 1 {
		t.Errorf("Anna's update: handled without the NUL %d, set aside %d; want exactly one", handled, dead)
	}
}

func TestNULUpdateDoesNotBlockPolling(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	nulThenStart(t, h)
}

func TestNULUpdateDoesNotBlockWebhook(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	srv := httptest.NewServer(h.Bot.WebhookHandler("s3cret_token"))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Bot.SetWebhook(ctx, srv.URL, "s3cret_token"); err != nil {
		t.Fatal(err)
	}
	nulThenStart(t, h)
	if msg := webhookError(t, h); msg != "" {
		t.Errorf("the webhook refused a delivery: %s", msg)
	}
}

// webhookError asks the fake, as getWebhookInfo would, for the last
// delivery the webhook refused.
func webhookError(t *testing.T, h *bottest.Harness) string {
	t.Helper()
	resp, err := http.Post(h.Fake.URL()+"/bot123:test/getWebhookInfo", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info struct {
		Result struct {
			LastErrorMessage string `json:"last_error_message"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	return info.Result.LastErrorMessage
}

// TestUnstorableUpdateSetAside: what PostgreSQL refuses even without NUL
// (bytes that are not UTF-8) is kept, raw, as a dead letter, and the
// webhook answers 200 so Telegram moves on.
func TestUnstorableUpdateSetAside(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	raw := "{\"update_id\": 700001, \"message\": {\"message_id\": 1, \"date\": 1763800000,\n" +
		"\"chat\": {\"id\": 410, \"type\": \"private\", \"first_name\": \"Dan\"}, \"text\": \"bad \xff byte\"}}"
	srv := httptest.NewServer(h.Bot.WebhookHandler("s3cret_token"))
	defer srv.Close()
	if code := postWebhook(t, srv.URL, "s3cret_token", raw); code != http.StatusOK {
		t.Fatalf("webhook answered %d to an update it cannot store; Telegram would retry it forever", code)
	}
	var kept []byte
	err := h.DB.Pool().QueryRow(context.Background(), `SELECT payload FROM dead_updates WHERE update_id = 700001 AND chat_id = 410`).Scan(&kept)
	if err != nil {
		t.Fatalf("no dead letter: %v", err)
	}
	if string(kept) != raw {
		t.Errorf("dead letter holds %q, want the raw bytes", kept)
	}
	// An update whose id reads but whose body does not decode.
	if err := h.Bot.Accept(context.Background(), []byte(`{"update_id": 700002, "message": "not an object"}`)); err != nil {
		t.Fatalf("an undecodable update with an id: %v; it should be set aside and confirmed", err)
	}
	if n := count(t, h, `SELECT count(*) FROM dead_updates WHERE update_id = 700002 AND reason LIKE 'undecodable%'`); n != 1 {
		t.Error("the undecodable update was not set aside")
	}
}

// TestUpdateFailingTwiceIsSetAside: when handling fails and even the
// polite "something went wrong" cannot be written (here the database
// refuses this one chat's conversation row), the update is set aside with
// the error instead of staying pending, to be retried at every start.
func TestUpdateFailingTwiceIsSetAside(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	ctx := context.Background()
	for _, sql := range []string{
		`CREATE SEQUENCE refusals`,
		`CREATE FUNCTION refuse_chat() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM nextval('refusals'); RAISE EXCEPTION 'chat % refused by the test', NEW.chat_id; END $$`,
		`CREATE TRIGGER refuse_chat BEFORE INSERT OR UPDATE ON conversations
		FOR EACH ROW WHEN (NEW.chat_id = 403) EXECUTE FUNCTION refuse_chat()`,
	} {
		if _, err := h.DB.Pool().Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	vera := h.Chat(403, "Vera", "en")
	id := vera.U.SendText("/start")
	gleb := h.Chat(404, "Gleb", "en")
	gleb.Send("/start")
	if !strings.Contains(gleb.Transcript(), "Do you agree") {
		t.Fatalf("the next person was not answered:\n%s", gleb.Transcript())
	}
	attempts := count(t, h, `SELECT last_value FROM refusals`)
	if n := count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Fatalf("%d updates pending after failing twice: every start would retry them", n)
	}
	if n := count(t, h, `SELECT count(*) FROM dead_updates WHERE update_id = $1 AND reason LIKE '%refused by the test%'`, id); n != 1 {
		t.Fatal("the failing update was not set aside with its error")
	}
	bottest.Restart(t, h).Settle()
	if n := count(t, h, `SELECT last_value FROM refusals`); n != attempts {
		t.Errorf("the failed update was tried again at start (%d attempts, then %d)", attempts, n)
	}
}
