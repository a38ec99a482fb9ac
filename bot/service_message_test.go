package bot_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// serviceMessage is a service message Telegram sends to the bot in a
// private chat: no text, no photo, only what happened (field: value).
func serviceMessage(id, chat int64, field, value string) []byte {
	return []byte(fmt.Sprintf(`{"update_id": %d, "message": {"message_id": %d, "date": 1763800000,
		"chat": {"id": %d, "type": "private", "first_name": "Anna"},
		"from": {"id": %d, "is_bot": false, "first_name": "Anna", "language_code": "en"},
		%q: %s}}`, id, id, chat, chat, field, value))
}

// TestServiceMessagesInPrivateChatGetNoAnswer: a member pins the bot's
// card message to keep it at hand, or sets the chat's auto-delete timer.
// Telegram tells the bot with a service message; nobody wrote anything,
// so the bot must not answer "I didn't catch that".
func TestServiceMessagesInPrivateChatGetNoAnswer(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	anna := h.Chat(431, "Anna", "en")
	anna.Send("/start").Tap("✅ I agree").ShareContact("+79990000431").Tap("Anna").Tap("No, thanks").Send("/card")
	card := anna.Last()
	before := len(anna.U.Messages())
	for i, svc := range []struct{ field, value string }{
		{"pinned_message", fmt.Sprintf(`{"message_id": %d, "date": 1763800000, "chat": {"id": 431, "type": "private", "first_name": "Anna"}, "from": {"id": 123, "is_bot": true, "first_name": "Shop"}, "caption": "card"}`, card.ID)},
		{"message_auto_delete_timer_changed", `{"message_auto_delete_time": 86400}`},
	} {
		if err := h.Bot.Accept(context.Background(), serviceMessage(int64(810001+i), 431, svc.field, svc.value)); err != nil {
			t.Fatal(err)
		}
		h.Settle()
		if got := anna.U.Messages()[before:]; len(got) != 0 {
			t.Errorf("%s: the bot answered a service message: %q", svc.field, got[0].Text)
		}
		before = len(anna.U.Messages())
	}
	if n := count(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d updates still pending", n)
	}
}

// TestGroupChatGetsNothing: the bot added to a group, and a member there
// writing /card, /balance and /help, a new member joining: the bot posts
// nothing to the group (no card for all to scan), nothing to the member,
// and every update ends handled.
func TestGroupChatGetsNothing(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	anna := h.Chat(432, "Anna", "en")
	anna.Send("/start").Tap("✅ I agree").ShareContact("+79990000432").Tap("Anna").Tap("No, thanks")
	before := len(h.Fake.Calls(""))
	group := `"chat": {"id": -1001000000432, "type": "supergroup", "title": "Shop fans"}`
	from := `"from": {"id": 432, "is_bot": false, "first_name": "Anna", "language_code": "en"}`
	updates := []string{
		`{"update_id": 820001, "my_chat_member": {` + group + `, ` + from + `, "date": 1763800000,
			"old_chat_member": {"status": "left", "user": {"id": 1000, "is_bot": true, "first_name": "bot"}},
			"new_chat_member": {"status": "member", "user": {"id": 1000, "is_bot": true, "first_name": "bot"}}}}`,
		`{"update_id": 820002, "message": {"message_id": 2, "date": 1763800000, ` + group + `, ` + from + `,
			"new_chat_members": [{"id": 1000, "is_bot": true, "first_name": "bot"}]}}`,
	}
	for i, cmd := range []string{"/card@shopbot", "/balance", "/help", "/start"} {
		updates = append(updates, fmt.Sprintf(`{"update_id": %d, "message": {"message_id": %d, "date": 1763800000, %s, %s,
			"text": %q, "entities": [{"type": "bot_command", "offset": 0, "length": %d}]}}`, 820003+i, 3+i, group, from, cmd, len(cmd)))
	}
	for _, u := range updates {
		if err := h.Bot.Accept(context.Background(), []byte(u)); err != nil {
			t.Fatal(err)
		}
	}
	h.Settle()
	for _, c := range h.Fake.Calls("")[before:] {
		if c.Method != "getUpdates" {
			t.Errorf("a group update made the bot call %s", c.Method)
		}
	}
	if n := count(t, h, `SELECT count(*) FROM updates WHERE update_id >= 820001 AND processed_at IS NULL`); n != 0 {
		t.Errorf("%d group updates still pending", n)
	}
	// What people write in the group is not the shop's to keep: only
	// the update's id is stored.
	if n := count(t, h, `SELECT count(*) FROM updates WHERE update_id > 820001 AND (payload::text LIKE '%Anna%' OR payload::text LIKE '%/balance%')`); n != 0 {
		t.Errorf("%d group messages stored with their content", n)
	}
}
