package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStaleTopicsMenuDoesWhatItShows: a customer with two /topics menus
// open leaves Sales in the newer one, then taps "✅ Sales" in the older
// one (it still shows her subscribed) meaning to leave it: the tap must
// not put her back on Sales, and a Sales broadcast must not reach her.
func TestStaleTopicsMenuDoesWhatItShows(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 981, "Anna")
	joinConsenting(t, h, 982, "Boris")

	anna.Send("/topics")
	old := anna.Last().ID
	anna.Send("/topics").Tap("✅ Sales") // left in the newer menu
	anna.TapOld(old, "✅ Sales")         // the older menu still shows her on Sales
	if n := countRows(t, h, `SELECT count(*) FROM topic_subscriptions s JOIN customers c ON c.id = s.customer_id
		WHERE c.telegram_id = 981 AND s.topic = 'sales' AND s.subscribed`); n != 0 {
		t.Errorf("tapping \"✅ Sales\" (to leave) put her back on Sales:\n%s", anna.Transcript())
	}

	owner.Send("/broadcast").Send("Sale on Friday").Tap("📣 Sales")
	send := "✅ Send to 1 customer"
	if !strings.Contains(owner.Last().Text, "1 customer will") {
		t.Errorf("the Sales audience: %q, want Boris alone", owner.Last().Text)
		send = "✅ Send to 2 customers"
	}
	owner.Tap(send)
	h.Settle()
	if n := got(anna.Sync(), "Sale on Friday"); n != 0 {
		t.Errorf("Anna left Sales (twice) and still got its broadcast:\n%s", anna.Transcript())
	}
}

// TestScheduledConfirmationGoesStaleOnSendAtOnce: "▶️ Send at once
// instead" asks anew; the confirmation above it, which says the broadcast
// goes tomorrow at 10:00, must not keep a Send button that now sends it
// at once.
func TestScheduledConfirmationGoesStaleOnSendAtOnce(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // 22.11.2026 15:00 in Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 983, "Anna")
	owner.Send("/broadcast").Send("Tasting tomorrow").Tap("👥 Everyone who agreed to offers").
		Tap("⏰ Schedule").Send("tomorrow 10:00")
	scheduled := owner.Last()
	if !strings.Contains(scheduled.Text, "23.11.2026 10:00") {
		t.Fatalf("the scheduled confirmation: %q", scheduled.Text)
	}
	owner.Tap("▶️ Send at once instead")
	for _, m := range owner.U.Messages() {
		if m.ID == scheduled.ID && len(m.Buttons()) > 0 {
			t.Errorf("the confirmation that says 23.11.2026 10:00 keeps its buttons: %v", m.Buttons())
			owner.TapOld(scheduled.ID, "✅ Send to 1 customer")
		}
	}
	h.Settle()
	if n := got(anna.Sync(), "Tasting tomorrow"); n != 0 {
		t.Errorf("a tap under \"on 23.11.2026 10:00 it goes to\" sent it at once (%d)", n)
	}
}
