package flows_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestOffersAtTheRegister: the discount a reminder promised is listed
// under the customer's scanned card with its number; the cashier marks it
// honoured, and it is gone from the next scan; a second tap on the old
// button says it was used; an offer past its day is not listed; a card
// found by phone lists none.
func TestOffersAtTheRegister(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withReplenish)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	bob := joinConsenting(t, h, 102, "Bob")
	start := h.Clock.Now()
	at := func(d time.Duration) { h.Clock.Advance(start.Add(d).Sub(h.Clock.Now())) }
	posBuy(t, h, 101, "coffee_beans", "tea")
	posBuy(t, h, 102, "tea")
	at(8 * 24 * time.Hour)
	runNudges(t, h)
	var code int64
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT n.id FROM nudges n JOIN customers c ON c.id = n.customer_id
		WHERE n.rule = 'tea' AND n.outcome = 'sent' AND c.telegram_id = 101`).Scan(&code); err != nil {
		t.Fatal(err)
	}
	no := strconv.FormatInt(code, 10)
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "15 % off tea, until 07.12.2026. Show this message at the register (offer no. "+no+")") {
		t.Fatalf("the reminder's offer:\n%s", anna.Transcript())
	}

	anna.Send("/offers")
	if !strings.Contains(anna.Last().Text, "🏷 Your personal offers: tell the cashier the number, or show this message.\nNo. "+no+
		" · tea: 15 % off tea, until 07.12.2026") {
		t.Fatalf("/offers lists no personal offer:\n%s", anna.Last().Text)
	}
	scan(t, anna, cashier)
	var list string
	for _, m := range cashier.U.Messages() {
		if strings.HasPrefix(m.Text, "🏷") {
			list = m.Text
		}
	}
	if list != "🏷 Offers from the bot's messages, not used yet:\nNo. "+no+" · tea: 15 % off tea, until 07.12.2026" {
		t.Fatalf("the offers under the scanned card:\n%s", cashier.Transcript())
	}
	cashier.Tap("✅ No. " + no + ": honoured now")
	if got(cashier, "✅ Offer no. "+no+" marked used.") != 1 {
		t.Fatalf("the offer marked:\n%s", cashier.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE offer_used_at IS NOT NULL AND offer_used_by IS NOT NULL
		AND offer_used_store IS NOT NULL`); n != 1 {
		t.Fatalf("%d offers recorded used, want 1", n)
	}
	cashier.SignedCallback(cashier.Last().ID, "x:offeruse:"+strconv.FormatInt(customerID(t, h, 101), 10)+"-"+no,
		"the same offer's button again")
	if got(cashier, "Offer no. "+no+" was used already, or has ended.") != 1 {
		t.Fatalf("a second use:\n%s", cashier.Transcript())
	}
	before := got(cashier, "🏷 Offers")
	scan(t, anna, cashier)
	cashier.Send("/scan").Send("+79990000101")
	if got(cashier, "🏷 Offers") != before {
		t.Fatalf("an offer used, or a card found by phone, still lists offers:\n%s", cashier.Transcript())
	}

	cashier.Note("Bob's offer of the same day, good until 07.12, comes on 09.12 (a day's grace is the most)")
	at(17 * 24 * time.Hour)
	scan(t, bob, cashier)
	if got(cashier, "🏷 Offers") != before {
		t.Fatalf("an offer past its day is listed:\n%s", cashier.Transcript())
	}
	bottest.Golden(t, "offers_till", cashier.Transcript())
	owner.Send("/customer +79990000101")
	if !strings.Contains(owner.Last().Text, "tea: sent, offer used at the register") {
		t.Fatalf("the customer card's nudges:\n%s", owner.Last().Text)
	}
	owner.Send("/stats nudges")
	if !strings.Contains(owner.Last().Text, "; honoured at the register: 1") {
		t.Fatalf("/stats nudges counts no offer honoured:\n%s", owner.Last().Text)
	}
	anna.Send("/privacy").Tap("📦 Download my data")
	var data struct {
		Nudges []map[string]any `json:"automatic_messages"`
	}
	if doc := anna.Last().Document; doc == nil || json.Unmarshal(doc.Data, &data) != nil {
		t.Fatal("no data export")
	}
	used := 0
	for _, n := range data.Nudges {
		if n["offer_used_at"] != nil {
			used++
		}
	}
	if used != 1 {
		t.Fatalf("%d offers used in Anna's data, want 1: %+v", used, data.Nudges)
	}
}

// customerID is the id of the customer with this Telegram id.
func customerID(t *testing.T, h *bottest.Harness, tgID int64) int64 {
	t.Helper()
	c, _ := customer(t, h, tgID)
	return c.ID
}

// TestEleventhOpenOfferCanBeHonoured: a customer with eleven open offers
// shows the oldest (a scan lists ten): honoured, not refused as "used
// already, or ended".
func TestEleventhOpenOfferCanBeHonoured(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withReplenish)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 955, "Boris")
	anna := joinConsenting(t, h, 155, "Anna")
	posBuy(t, h, 155, "coffee_beans", "tea")
	h.Clock.Advance(8 * 24 * time.Hour)
	runNudges(t, h)
	var first int64
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT n.id FROM nudges n JOIN customers c ON c.id = n.customer_id
		WHERE n.rule = 'tea' AND n.outcome = 'sent' AND c.telegram_id = 155`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	// Ten more of the same offer, sent in the minutes before.
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO nudges (rule, customer_id, occurrence, marketing, outcome, offer, send_at, due_at, attribute_until)
		SELECT rule, customer_id, occurrence || '-' || g, marketing, outcome, offer, send_at - g * interval '1 minute', due_at - g * interval '1 minute', attribute_until
		FROM nudges, generate_series(1, 10) g WHERE id = $1`, first); err != nil {
		t.Fatal(err)
	}
	var oldest int64
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT id FROM nudges WHERE offer = 'discount' ORDER BY send_at LIMIT 1`).
		Scan(&oldest); err != nil {
		t.Fatal(err)
	}
	no := strconv.FormatInt(oldest, 10)
	scan(t, anna, cashier)
	cashier.SignedCallback(cashier.Last().ID, "x:offeruse:"+strconv.FormatInt(customerID(t, h, 155), 10)+"-"+no,
		"the customer shows the message of offer no. "+no+", listed at an earlier scan")
	if got(cashier, "✅ Offer no. "+no+" marked used.") != 1 {
		t.Fatalf("an open offer, the eleventh, is refused:\n%s", cashier.Transcript())
	}
}
