package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// TestRevokedManagersWaitingExportNotSent: Mila, a manager, asks for
// the customers export while Telegram holds her chat (429, retry after
// an hour), so the file waits in the outbox; the owner revokes her
// meanwhile. Once Telegram lets her chat through, the customer base
// must not reach someone who is no longer staff.
func TestRevokedManagersWaitingExportNotSent(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 947, "Mila")
	join(t, h, 148, "Annabel")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Mila")
	manager.Send("/export")
	h.Fake.FailNext("sendDocument", 1, tgfake.Failure{Code: 429, Description: "Too Many Requests: retry after 3600",
		RetryAfter: 3600, ChatID: manager.U.ID})
	if _, err := manager.U.Tap("👥 Customers"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND retry_at IS NOT NULL AND sent_at IS NULL
		AND payload ? 'export'`, manager.U.ID) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the export was not throttled")
		}
		time.Sleep(5 * time.Millisecond)
	}
	settleBesides(t, h, owner.U, manager.U.ID, func() error { _, err := owner.U.Tap("Yes, revoke"); return err })
	if got := owner.U.Last().Text; !strings.Contains(got, "Mila") {
		t.Fatalf("no revocation: %q", got)
	}
	// Telegram lets her chat through again.
	if _, err := h.DB.Pool().Exec(context.Background(), `UPDATE outbox SET retry_at = NULL WHERE chat_id = $1`, manager.U.ID); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	for _, m := range manager.U.Messages() {
		if m.Document != nil {
			t.Errorf("the revoked manager got the export %q:\n%s", m.Document.FileName, manager.Sync().Transcript())
		}
	}
}

// TestMovedManagersWaitingExportNotSent: Mila, a Central manager, asks
// for the customers export while Telegram holds her chat, so the file
// of Central's customers waits in the outbox; meanwhile she is moved to
// River. Once Telegram lets her chat through, Central's customers must
// not reach a River manager.
func TestMovedManagersWaitingExportNotSent(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 949, "Mila")
	join(t, h, 150, "Annabel")
	owner.Send("/staff").Tap("➕ Invite a manager").Tap("River")
	link := linkRe.FindStringSubmatch(owner.Last().Caption)
	if link == nil {
		t.Fatalf("no invite link in %q", owner.Last().Caption)
	}
	manager.Send("/export")
	h.Fake.FailNext("sendDocument", 1, tgfake.Failure{Code: 429, Description: "Too Many Requests: retry after 3600",
		RetryAfter: 3600, ChatID: manager.U.ID})
	if _, err := manager.U.Tap("👥 Customers"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND retry_at IS NOT NULL AND sent_at IS NULL
		AND payload ? 'export'`, manager.U.ID) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the export was not throttled")
		}
		time.Sleep(5 * time.Millisecond)
	}
	manager.U.SendText("/start " + link[1])
	for countRows(t, h, `SELECT count(*) FROM staff s JOIN stores st ON st.id = s.store_id
		WHERE s.telegram_id = $1 AND st.code = 'river'`, manager.U.ID) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("not moved to River")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Telegram lets her chat through again.
	if _, err := h.DB.Pool().Exec(context.Background(), `UPDATE outbox SET retry_at = NULL WHERE chat_id = $1`, manager.U.ID); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	for _, m := range manager.U.Messages() {
		if m.Document != nil {
			t.Errorf("the manager moved to River got Central's export %q:\n%s", m.Document.FileName, manager.Sync().Transcript())
		}
	}
}
