package flows_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

func TestPrivacyConsentsExportEraseAndRejoin(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 920, "Boris")
	anna := join(t, h, 120, "Anna")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")

	anna.Send("/privacy").
		Tap("🔔 Receive offers and news").
		Tap("🔕 Stop offers and news").
		Tap("📦 Download my data")
	doc := anna.Last().Document
	if doc == nil || doc.FileName != "my-data.json" {
		t.Fatalf("no export document: %+v", anna.Last())
	}
	var export struct {
		Profile struct {
			FirstName string `json:"first_name"`
			Phone     string `json:"phone"`
		} `json:"profile"`
		Consents  []map[string]any `json:"consents"`
		Card      map[string]any   `json:"card"`
		Ledger    []map[string]any `json:"points_history"`
		Purchases []map[string]any `json:"purchases"`
	}
	if err := json.Unmarshal(doc.Data, &export); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, doc.Data)
	}
	if export.Profile.FirstName != "Anna" || export.Profile.Phone == "" || len(export.Consents) != 4 ||
		len(export.Ledger) != 2 || len(export.Purchases) != 1 || export.Card["balance"].(float64) != 130 {
		t.Fatalf("export incomplete:\n%s", doc.Data)
	}

	anna.Send("/card")
	photo, _ := anna.LastPhoto()
	oldCard, err := bottest.DecodeQR(photo.Photo)
	if err != nil {
		t.Fatal(err)
	}
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("No, keep it").
		Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	// The erased customer's card is closed: a cashier scanning its QR
	// (still within its lifetime) learns nothing and cannot charge it.
	_, payload, _ := strings.Cut(oldCard, "?start=")
	cashier.Send("/start " + payload)
	if !strings.Contains(cashier.Last().Text, "not a valid card code") {
		t.Fatalf("a closed card was accepted at the register: %q", cashier.Last().Text)
	}
	var name, phone string
	var tg *int64
	if err := h.DB.Pool().QueryRow(context.Background(),
		`SELECT first_name, coalesce(phone, ''), telegram_id FROM customers ORDER BY id LIMIT 1`).Scan(&name, &phone, &tg); err != nil {
		t.Fatal(err)
	}
	if name != "" || phone != "" || tg != nil {
		t.Fatalf("personal data left after erasure: %q %q %v", name, phone, tg)
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases`); n != 1 {
		t.Fatal("the purchase must stay (anonymous) for the owner's totals")
	}
	// The ledger stays, and the points left go with a row of their own.
	if n := countRows(t, h, `SELECT count(*) FROM ledger`); n != 3 ||
		countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'forfeit'`) != 1 {
		t.Fatal("the ledger must stay, with the balance forfeited")
	}

	anna.Note("joining again with the same phone: a fresh member, no second welcome bonus").
		Send("/start").Tap("✅ I agree").ShareContact("+79990000120").Tap("Anna").Tap("No, thanks")
	bottest.Golden(t, "privacy", anna.Transcript())
	if got := balance(t, h, 120); got != 0 {
		t.Fatalf("re-joined balance %d, want 0 (no second welcome bonus)", got)
	}
	if !strings.Contains(anna.Transcript(), "already received the welcome bonus") {
		t.Fatal("the customer was not told why there is no bonus")
	}
}

func TestHalfJoinedSeesAndDeletesWhatTheyGave(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := h.Chat(166, "Rita", "en")
	c.Send("/start").Tap("✅ I agree").ShareContact("+79990000166").
		Note("consent and phone given, name not yet: what is stored?").
		Send("/privacy")
	if got := lastTexts(c, 3); !strings.Contains(got, "+79990000166") {
		t.Fatalf("/privacy does not show the stored phone to a half-joined person:\n%s", c.Transcript())
	}
	c.Tap("📦 Download my data")
	doc := c.Last().Document
	if doc == nil || !strings.Contains(string(doc.Data), "+79990000166") {
		t.Fatalf("no export for a half-joined person: %+v", c.Last())
	}
	c.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	bottest.Golden(t, "privacy_half_joined", c.Transcript())
	if n := countRows(t, h, `SELECT count(*) FROM customers WHERE phone IS NOT NULL OR first_name <> '' OR telegram_id IS NOT NULL`); n != 0 {
		t.Fatal("the half-joined person's data is left")
	}
	if n := countRows(t, h, `SELECT (SELECT count(*) FROM erased_phones) + (SELECT count(*) FROM erased_accounts)`); n != 0 {
		t.Fatal("a half-joined person never had a welcome bonus: no hash should bar one")
	}
	c.Note("joining later with the same phone is a first join").
		Send("/start").Tap("✅ I agree").ShareContact("+79990000166").Tap("Rita").Tap("No, thanks")
	if got := balance(t, h, 166); got != 100 {
		t.Fatalf("balance %d, want the welcome bonus", got)
	}
}

func TestWithdrawingTheDataConsentErasesAfterConfirmation(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	c := join(t, h, 167, "Sara")
	c.Send("/privacy").
		Tap("✋ Withdraw consent, delete my data").
		Tap("No, keep it")
	if cust, _ := customer(t, h, 167); cust.Phone == "" {
		t.Fatal("data deleted without a confirmation")
	}
	c.Send("/privacy").
		Tap("✋ Withdraw consent, delete my data").
		Tap("Yes, withdraw and delete my data")
	if n := countRows(t, h, `SELECT count(*) FROM customers WHERE phone IS NOT NULL OR first_name <> ''`); n != 0 {
		t.Fatal("withdrawing the consent left the personal data")
	}
	if n := countRows(t, h, `SELECT count(*) FROM consents WHERE kind = 'personal_data' AND NOT granted`); n != 1 {
		t.Fatal("the withdrawal is not recorded")
	}
	if !strings.Contains(c.Last().Text, "consent is withdrawn") {
		t.Fatalf("not told: %q", c.Last().Text)
	}
}
