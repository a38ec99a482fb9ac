package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// count runs a counting query.
func count(t *testing.T, h *bottest.Harness, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := h.DB.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBlockedUserMarkedUnreachableAndComesBack(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(202, "Boris", "en")
	c.Send("/start").Tap("✅ I agree")
	c.U.Block()
	c.Send("/help")
	if n := count(t, h, `SELECT count(*) FROM customers WHERE telegram_id = 202 AND unreachable_at IS NOT NULL`); n != 1 {
		t.Fatal("a 403 did not mark the customer unreachable")
	}
	if n := count(t, h, `SELECT count(*) FROM customers WHERE telegram_id = 202`); n != 1 {
		t.Fatal("data lost after a block")
	}
	c.U.Unblock()
	c.Send("/start")
	if n := count(t, h, `SELECT count(*) FROM customers WHERE telegram_id = 202 AND unreachable_at IS NULL`); n != 1 {
		t.Fatal("writing again did not make the customer reachable")
	}
	if !strings.Contains(c.Last().Text, "phone") {
		t.Fatalf("after coming back the flow should resume at the phone step, got %q", c.Last().Text)
	}
}

func TestDuplicateUpdateHandledOnce(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(203, "Vera", "en")
	c.Send("/start")
	id, err := c.U.Tap("✅ I agree")
	if err != nil {
		t.Fatal(err)
	}
	h.Settle()
	before := len(c.U.Messages())
	h.Fake.Resend(id)
	h.Settle()
	if after := len(c.U.Messages()); after != before {
		t.Fatalf("a redelivered update produced %d new messages", after-before)
	}
	if n := count(t, h, `SELECT count(*) FROM consents`); n != 1 {
		t.Fatalf("%d consents stored for one tap delivered twice", n)
	}
}

// TestStoredUpdateSurvivesCrash stores an update as the intake does and
// starts a fresh bot over the same database, as after a crash between
// storing and handling: the update is handled on start.
func TestStoredUpdateSurvivesCrash(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	raw := `{"update_id": 900001, "message": {"message_id": 1, "date": 1763800000,
		"chat": {"id": 204, "type": "private", "first_name": "Gleb"},
		"from": {"id": 204, "is_bot": false, "first_name": "Gleb", "language_code": "en"},
		"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}`
	h.Fake.User(204, "Gleb", "en")
	if _, err := h.DB.SaveUpdate(context.Background(), 900001, 204, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	h2 := bottest.Restart(t, h)
	h2.Settle()
	msgs := h2.Fake.User(204, "Gleb", "en").Messages()
	if len(msgs) != 2 || !strings.Contains(msgs[0].Text, "Welcome") {
		t.Fatalf("stored update not handled after restart: %+v", msgs)
	}
}

// TestMyChatMemberKickedMarksUnreachable: Telegram reports a block as a
// my_chat_member update before any send fails.
func TestMyChatMemberKickedMarksUnreachable(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(205, "Dina", "en")
	c.Send("/start").Tap("✅ I agree")
	member := func(id int64, status string) string {
		return `{"update_id": ` + itoa(id) + `, "my_chat_member": {"chat": {"id": 205, "type": "private", "first_name": "Dina"},
			"from": {"id": 205, "is_bot": false, "first_name": "Dina"}, "date": 1763800000,
			"old_chat_member": {"status": "member", "user": {"id": 1000, "is_bot": true, "first_name": "bot"}},
			"new_chat_member": {"status": "` + status + `", "user": {"id": 1000, "is_bot": true, "first_name": "bot"}` + untilDate(status) + `}}}`
	}
	if err := h.Bot.Accept(context.Background(), []byte(member(800001, "kicked"))); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	if n := count(t, h, `SELECT count(*) FROM customers WHERE telegram_id = 205 AND unreachable_at IS NOT NULL`); n != 1 {
		t.Fatal("kicked did not mark the customer unreachable")
	}
	if err := h.Bot.Accept(context.Background(), []byte(member(800002, "member"))); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	if n := count(t, h, `SELECT count(*) FROM customers WHERE telegram_id = 205 AND unreachable_at IS NULL`); n != 1 {
		t.Fatal("unblocking did not make the customer reachable")
	}
}

func untilDate(status string) string {
	if status == "kicked" {
		return `, "until_date": 0`
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
