package flows_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// exportOf taps /privacy → "Download my data" and returns the document.
func exportOf(t *testing.T, c *bottest.Chat) []byte {
	t.Helper()
	c.Send("/privacy").Tap("📦 Download my data")
	doc := c.Last().Document
	if doc == nil {
		t.Fatalf("no export document:\n%s", c.Transcript())
	}
	return doc.Data
}

// TestExportHoldsTheReferralCodeAndTheInvite: the shop keeps a member's
// own invite code and, for a friend, the record that they joined through
// an invite (when, why no bonus, when it completed). Both are theirs and
// go in "Download my data"; the friend's export does not name who
// invited them.
func TestExportHoldsTheReferralCodeAndTheInvite(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	link := inviteLink(t, anna)
	code := strings.TrimPrefix(link, "r_")

	bob := h.Chat(102, "Bob", "en")
	bob.Send("/start " + link).Tap("✅ I agree").ShareContact("+79990000102").Tap("Bob").Tap("No, thanks")
	buy(t, bob, cashier)

	// Eve: a former member back through the link, refused.
	eve := join(t, h, 105, "Eve")
	eve.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data").
		Send("/start " + link).Tap("✅ I agree").ShareContact("+79990000105").Tap("Eve").Tap("No, thanks")

	type out struct {
		Code *struct {
			Code      string `json:"code"`
			Link      string `json:"link"`
			CreatedAt string `json:"created_at"`
		} `json:"invite_code"`
		Invited *struct {
			JoinedAt    string  `json:"joined_at"`
			NoBonus     string  `json:"no_bonus_because"`
			CompletedAt *string `json:"completed_at"`
		} `json:"joined_through_an_invite"`
	}
	var a, b, e out
	annaDoc, bobDoc, eveDoc := exportOf(t, anna), exportOf(t, bob), exportOf(t, eve)
	for _, x := range []struct {
		doc []byte
		v   *out
	}{{annaDoc, &a}, {bobDoc, &b}, {eveDoc, &e}} {
		if err := json.Unmarshal(x.doc, x.v); err != nil {
			t.Fatal(err)
		}
	}
	if a.Code == nil || a.Code.Code != code || !strings.HasSuffix(a.Code.Link, "?start="+link) || a.Code.CreatedAt == "" {
		t.Errorf("Anna's export lacks her invite code %q:\n%s", code, annaDoc)
	}
	if a.Invited != nil {
		t.Errorf("Anna joined by herself, yet her export says she was invited:\n%s", annaDoc)
	}
	if b.Invited == nil || b.Invited.JoinedAt == "" || b.Invited.NoBonus != "" || b.Invited.CompletedAt == nil {
		t.Errorf("Bob's export lacks his invite (joined, completed by his first purchase):\n%s", bobDoc)
	}
	if b.Code != nil {
		t.Errorf("Bob never opened /invite, yet has a code in his export:\n%s", bobDoc)
	}
	if strings.Contains(string(bobDoc), "Anna") || strings.Contains(string(bobDoc), "+79990000101") {
		t.Errorf("Bob's export names who invited him:\n%s", bobDoc)
	}
	if e.Invited == nil || e.Invited.NoBonus == "" || e.Invited.CompletedAt != nil {
		t.Errorf("Eve's export lacks the refused invite and why:\n%s", eveDoc)
	}
}

// TestExportNamesTheCodeWordUsed: the shop keeps which code word a member
// wrote and when (code_word_uses); the export's points history names it
// on the row it brought, not only "code_word".
func TestExportNamesTheCodeWordUsed(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	owner.Send("/codes").Tap("➕ New code word").Send("autumn").Tap("100").Send("30.11").Send("2").Tap("✅ Start")
	anna.Send("Autumn!")
	var export struct {
		Ledger []map[string]any `json:"points_history"`
	}
	doc := exportOf(t, anna)
	if err := json.Unmarshal(doc, &export); err != nil {
		t.Fatal(err)
	}
	for _, row := range export.Ledger {
		if row["kind"] == "code_word" {
			if row["code_word"] != "AUTUMN" {
				t.Fatalf("the code word row does not name the word:\n%s", doc)
			}
			return
		}
	}
	t.Fatalf("no code word row:\n%s", doc)
}

// TestExportOfALongHistory: a member with 2,000 purchases gets the whole
// of them in one plain JSON document, far under Telegram's 50 MB.
func TestExportOfALongHistory(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO purchases (public_id, card_id, customer_id, store_id, staff_id,
			source, idempotency_key, amount, currency, points_earned, points_redeemed, created_at)
		SELECT public_id || '-' || g, card_id, customer_id, store_id, staff_id, source, idempotency_key || '-' || g,
			amount, currency, points_earned, points_redeemed, created_at - g * interval '1 hour'
		FROM purchases, generate_series(1, 1999) g`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	doc := exportOf(t, anna)
	var export struct {
		Purchases []map[string]any `json:"purchases"`
	}
	if err := json.Unmarshal(doc, &export); err != nil {
		t.Fatal(err)
	}
	t.Logf("2,000 purchases: %d bytes in %v", len(doc), time.Since(start))
	if len(export.Purchases) != 2000 || anna.Last().Document.FileName != "my-data.json" {
		t.Fatalf("%d purchases in %q", len(export.Purchases), anna.Last().Document.FileName)
	}
}
