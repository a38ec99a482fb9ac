package flows_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// storeText stores, as the intake would just before handling it, a text
// typed in chat, without handling it: an update still waiting its turn.
func storeText(t *testing.T, h *bottest.Harness, chat *bottest.Chat, updateID int64, text string) {
	t.Helper()
	from := map[string]any{"id": chat.U.ID, "is_bot": false, "first_name": chat.U.FirstName, "language_code": "en"}
	raw, err := json.Marshal(map[string]any{"update_id": updateID, "message": map[string]any{
		"message_id": 1, "date": h.Clock.Now().Unix(), "text": text, "from": from,
		"chat": map[string]any{"id": chat.U.ID, "type": "private", "first_name": chat.U.FirstName}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.DB.SaveUpdate(context.Background(), updateID, chat.U.ID, raw); err != nil {
		t.Fatal(err)
	}
}

// TestErasureBlanksTheCustomersPhoneInAStaffUpdateStillWaiting: the
// cashier types the customer's number at /customer while she deletes her
// data; the cashier's update is stored and waits its turn. The erasure
// blanks handled updates that name her, but the one still waiting keeps
// her number, and once handled it stays in the intake's log with it for
// a week.
func TestErasureBlanksTheCustomersPhoneInAStaffUpdateStillWaiting(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 931, "Boris")
	vera := join(t, h, 131, "Vera")
	storeText(t, h, cashier, 990101, "/customer 8 (999) 000-01-31")
	storeText(t, h, cashier, 990102, "/customer +79990000131")
	vera.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if !strings.Contains(vera.Last().Text, "personal data is erased") {
		t.Fatalf("no confirmation:\n%s", vera.Transcript())
	}
	// The cashier's updates are handled after the erasure.
	bottest.Restart(t, h).Settle()
	for _, secret := range []string{"9990000131", "(999) 000-01-31"} {
		if found := findEverywhere(t, h, secret); len(found) > 0 {
			t.Errorf("%q is still stored after erasure in %v", secret, found)
		}
	}
}

// TestErasureFindsTheTypedPhoneInAnEditedMessage: a staff member's
// edited message holding the customer's number as people type it.
func TestErasureFindsTheTypedPhoneInAnEditedMessage(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	vera := join(t, h, 132, "Vera")
	raw := []byte(`{"update_id":990111,"edited_message":{"message_id":5,"date":1,"edit_date":2,"chat":{"id":961,"type":"private"},"from":{"id":961,"first_name":"Boris"},"text":"/customer 8 (999) 000-01-32"}}`)
	if _, err := h.DB.SaveUpdate(context.Background(), 990111, 961, raw); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DB.Pool().Exec(context.Background(), `UPDATE updates SET processed_at = $1 WHERE update_id = 990111`, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	vera.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if found := findEverywhere(t, h, "(999) 000-01-32"); len(found) > 0 {
		t.Errorf("the typed phone is still stored after erasure in %v", found)
	}
}
