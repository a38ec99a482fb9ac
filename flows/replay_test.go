package flows_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// storeTap stores, as the intake would just before a crash, the update of
// a tap on label in the cashier's chat, without handling it.
func storeTap(t *testing.T, h *bottest.Harness, cashier *bottest.Chat, updateID int64, label string) {
	t.Helper()
	var msg tgfake.Message
	var data string
	for _, m := range cashier.U.Messages() {
		for _, row := range m.Inline {
			for _, b := range row {
				if b.Text == label {
					msg, data = m, b.Data
				}
			}
		}
	}
	if data == "" {
		t.Fatalf("no %q button in the cashier's chat", label)
	}
	from := map[string]any{"id": cashier.U.ID, "is_bot": false, "first_name": cashier.U.FirstName, "language_code": "en"}
	raw, err := json.Marshal(map[string]any{"update_id": updateID, "callback_query": map[string]any{
		"id": "q" + strconv.FormatInt(updateID, 10), "from": from, "chat_instance": "ci", "data": data,
		"message": map[string]any{"message_id": msg.ID, "date": msg.Date.Unix(), "text": msg.Text,
			"chat": map[string]any{"id": cashier.U.ID, "type": "private", "first_name": cashier.U.FirstName}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.DB.SaveUpdate(context.Background(), updateID, cashier.U.ID, raw); err != nil {
		t.Fatal(err)
	}
}

// TestDayOldConfirmNotReplayedAtStart: a cashier's Confirm stored but not
// handled before a crash is not acted on when the bot starts a day later
// (nothing recorded, nothing said); one stored minutes ago still is.
func TestDayOldConfirmNotReplayedAtStart(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start s_central").Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("No, thanks")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30")

	storeTap(t, h, cashier, 990001, "✅ Confirm")
	h.Clock.Advance(24 * time.Hour)
	seen := cashier.U.Mark()
	bottest.Restart(t, h).Settle()
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 0 {
		t.Fatalf("a day-old Confirm recorded %d purchase(s) at start", n)
	}
	if got := cashier.U.Since(seen); len(got) != 0 {
		t.Errorf("the cashier was told something about a day-old tap: %+v", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM dead_updates WHERE update_id = 990001`); n != 1 {
		t.Errorf("the day-old Confirm was not set aside with its reason")
	}

	storeTap(t, h, cashier, 990002, "✅ Confirm")
	h.Clock.Advance(2 * time.Minute)
	bottest.Restart(t, h).Settle()
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 1 {
		t.Fatalf("a Confirm stored two minutes before the start: %d purchases, want it replayed", n)
	}
}
