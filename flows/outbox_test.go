package flows_test

import (
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestSentMessagesKeepNoContent: once delivered, an outbox row keeps its
// metadata but not what it said, so a usable invite link or a customer's
// export (name, phone, history) does not sit in the database afterwards.
func TestSentMessagesKeepNoContent(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff").Tap("➕ Invite a cashier").Tap("Central")
	m := linkRe.FindStringSubmatch(owner.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link in %q", owner.Last().Caption)
	}
	anna := join(t, h, 170, "Anna")
	anna.Send("/privacy").Tap("📦 Download my data")
	if doc := anna.Last().Document; doc == nil {
		t.Fatalf("no export document: %+v", anna.Last())
	}
	h.Settle()

	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE strpos(payload::text, $1) > 0`, m[1]); n != 0 {
		t.Errorf("the invite token is still readable in %d outbox rows", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE payload <> '{}'`); n != 0 {
		t.Errorf("%d delivered outbox rows still hold their content", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 170 AND sent_at IS NOT NULL`); n < 3 {
		t.Errorf("only %d sent rows kept for Anna's chat: the metadata must stay", n)
	}
}
