package flows_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
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

// settleBesides does what the chat's user did (do) and waits until the
// bot has answered it and every message due is out but those of chat
// held, which Telegram is throttling: Settle would wait for those too.
func settleBesides(t *testing.T, h *bottest.Harness, u *tgfake.User, held int64, do func() error) {
	t.Helper()
	mark := u.Mark()
	if err := do(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		if err := h.DB.Pool().QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM updates WHERE processed_at IS NULL) +
			(SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL AND chat_id <> $1 AND not_before <= $2)`,
			held, h.Clock.Now()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 && len(u.Since(mark)) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat %d not answered, or %d updates and messages still waiting", u.ID, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestErasureWithdrawsTheStaffAlertAboutHerStillWaiting: Annabel rates
// her visit 2★ while Telegram throttles the owner's chat (429, retry
// after an hour), so the owner's low-rating alert waits in the outbox;
// another member, also named Annabel, rates 2★ too, and her alert waits
// behind it. The first Annabel erases her data: her alert, which names
// her, must not go out once Telegram lets the chat through, nor stay in
// the outbox with her name; the other Annabel's alert still goes.
func TestErasureWithdrawsTheStaffAlertAboutHerStillWaiting(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	annabel := join(t, h, 141, "Annabel")
	other := join(t, h, 142, "Annabel")
	buy(t, annabel, cashier)
	buy(t, other, cashier)
	annabel.Send("/feedback")
	other.Send("/feedback")
	owner.Sync()
	before := len(owner.U.Messages())
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Code: 429, Description: "Too Many Requests: retry after 3600",
		RetryAfter: 3600, ChatID: ownerID})
	tap := func(u *tgfake.User, label string) func() error {
		return func() error { _, err := u.Tap(label); return err }
	}
	settleBesides(t, h, annabel.U, ownerID, tap(annabel.U, "2⭐"))
	deadline := time.Now().Add(15 * time.Second)
	for countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND retry_at IS NOT NULL AND sent_at IS NULL`, ownerID) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the owner's alert was not throttled")
		}
		time.Sleep(5 * time.Millisecond)
	}
	settleBesides(t, h, other.U, ownerID, tap(other.U, "2⭐"))
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND sent_at IS NULL AND dropped_at IS NULL
		AND payload::text LIKE '%Low rating%Annabel%'`, ownerID); n != 2 {
		t.Fatalf("%d alerts waiting for the owner, want 2", n)
	}
	settleBesides(t, h, annabel.U, ownerID, func() error { annabel.U.SendText("/privacy"); return nil })
	settleBesides(t, h, annabel.U, ownerID, tap(annabel.U, "🗑 Delete my data"))
	settleBesides(t, h, annabel.U, ownerID, tap(annabel.U, "Yes, delete my data"))
	if got := annabel.U.Last().Text; !strings.Contains(got, "personal data is erased") {
		t.Fatalf("no confirmation: %q", got)
	}
	var erased int64
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT id FROM customers WHERE erased_at IS NOT NULL`).Scan(&erased); err != nil {
		t.Fatal(err)
	}
	// The other Annabel's alert stands: waiting, or already sent once
	// the withdrawn one no longer held the chat's queue.
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND dropped_at IS NULL
		AND about_customer_id IS NOT NULL AND about_customer_id <> $2`, ownerID, erased); n != 1 {
		t.Errorf("%d alerts about the other Annabel stand after one Annabel erased, want hers", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE about_customer_id = $1 AND (payload <> '{}' OR dropped_at IS NULL)`, erased); n != 0 {
		t.Errorf("%d messages about the erased customer are still to go, or keep their text", n)
	}
	// Telegram lets the owner's chat through again.
	if _, err := h.DB.Pool().Exec(context.Background(), `UPDATE outbox SET retry_at = NULL WHERE chat_id = $1`, ownerID); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	var alerts int
	for _, m := range owner.U.Messages()[before:] {
		if strings.Contains(m.Text, "Low rating") {
			alerts++
		}
	}
	if alerts != 1 {
		t.Errorf("the owner got %d low-rating alerts, want the other Annabel's only:\n%s", alerts, owner.Sync().Transcript())
	}
}

// TestErasureWithdrawsTheDigestNamingHerStillWaiting: the evening digest
// lists the questions nobody answered, each with the customer's name
// and her words. Telegram throttles the owner's chat, so the digest
// waits in the outbox; Gulnora, whose question it lists, erases her
// data meanwhile. The digest must not go out with her name and
// question once Telegram lets the chat through, nor stay in the outbox
// with them.
func TestErasureWithdrawsTheDigestNamingHerStillWaiting(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	gulnora := join(t, h, 143, "Gulnora")
	gulnora.Send("Do you sell gluten-free croissants?").Tap("✉️ Send")
	owner.Sync()
	before := len(owner.U.Messages())
	h.Fake.FailNext("sendMessage", 1, tgfake.Failure{Code: 429, Description: "Too Many Requests: retry after 3600",
		RetryAfter: 3600, ChatID: ownerID})
	h.Clock.Advance(time.Hour)
	if _, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB); err != nil {
		t.Fatal(err)
	}
	h.Bot.Sender().Kick()
	deadline := time.Now().Add(15 * time.Second)
	for countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND retry_at IS NOT NULL AND sent_at IS NULL
		AND payload::text LIKE '%croissants%'`, ownerID) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the owner's digest was not throttled")
		}
		time.Sleep(5 * time.Millisecond)
	}
	settleBesides(t, h, gulnora.U, ownerID, func() error { gulnora.U.SendText("/privacy"); return nil })
	settleBesides(t, h, gulnora.U, ownerID, func() error { _, err := gulnora.U.Tap("🗑 Delete my data"); return err })
	settleBesides(t, h, gulnora.U, ownerID, func() error { _, err := gulnora.U.Tap("Yes, delete my data"); return err })
	if got := gulnora.U.Last().Text; !strings.Contains(got, "personal data is erased") {
		t.Fatalf("no confirmation: %q", got)
	}
	for _, secret := range []string{"Gulnora", "croissants"} {
		if found := findEverywhere(t, h, secret); len(found) > 0 {
			t.Errorf("%q is still stored after erasure in %v", secret, found)
		}
	}
	// Telegram lets the owner's chat through again.
	if _, err := h.DB.Pool().Exec(context.Background(), `UPDATE outbox SET retry_at = NULL WHERE chat_id = $1`, ownerID); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	for _, m := range owner.U.Messages()[before:] {
		if strings.Contains(m.Text, "Gulnora") || strings.Contains(m.Text, "croissants") {
			t.Errorf("the owner got her name or question after her erasure:\n%s", m.Text)
		}
	}
}
