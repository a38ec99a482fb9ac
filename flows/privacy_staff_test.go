package flows_test

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStaffErasingTheirCardKeepsTheirWork: Olga, the owner, has a card
// of her own in her chat. After her 21:00 purchase its rating request
// waits for the morning (quiet hours), and a low-rating alert about
// Anna waits for her chat too (Telegram throttling it). That evening she
// deletes her data as a customer: her rating request goes, the alert
// about Anna, which is her work as the owner, still reaches her, and
// she still works (/stats, her menu).
func TestStaffErasingTheirCardKeepsTheirWork(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	owner.Send("/start").Tap("✅ I agree").ShareContact("+79990000900").Tap("Olga").Tap("No, thanks")
	if c, _ := customer(t, h, ownerID); !c.Member() {
		t.Fatalf("the owner did not join:\n%s", owner.Transcript())
	}
	annaRow, _ := customer(t, h, 101)
	h.Clock.Advance(6 * time.Hour) // 21:00 in Moscow
	buy(t, owner, cashier)
	h.Clock.Advance(2 * time.Hour) // 23:00: the request waits for 09:00
	if n := runFeedbackJob(t, h); n != 1 {
		t.Fatalf("the job queued %d requests, want 1", n)
	}
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO outbox (chat_id, payload, not_before, created_at, about_customer_id)
		VALUES ($1, '{"chat_id": 900, "text": "Low rating 2⭐ from Anna"}', $2, $3, $4)`,
		ownerID, h.Clock.Now().Add(time.Hour), h.Clock.Now(), annaRow.ID); err != nil {
		t.Fatal(err)
	}
	menu := func() []string {
		var names []string
		for _, c := range h.Fake.Commands(`{"type":"chat","chat_id":900}`, "") {
			names = append(names, c.Command)
		}
		return names
	}
	before := menu()
	owner.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if !strings.Contains(owner.Last().Text, "personal data is erased") {
		t.Fatalf("no confirmation:\n%s", owner.Transcript())
	}
	h.Clock.Advance(11 * time.Hour) // 10:00 the next morning
	h.Settle()
	owner.Sync()
	got := owner.Transcript()
	if !strings.Contains(got, "Low rating 2⭐ from Anna") {
		t.Errorf("the alert about Anna waiting for the owner was deleted by her own erasure:\n%s", got)
	}
	if strings.Contains(got, "How was your visit") {
		t.Errorf("the erased card's rating request still came:\n%s", got)
	}
	if after := menu(); !slices.Equal(before, after) || !slices.Contains(after, "stats") {
		t.Errorf("the owner's menu changed with her erasure: %v, was %v", after, before)
	}
	mark := len(owner.U.Messages())
	owner.Send("/stats")
	if len(owner.U.Messages()) == mark || strings.Contains(lastTexts(owner, 2), "went wrong") {
		t.Errorf("/stats after the erasure:\n%s", owner.Transcript())
	}
	scan(t, anna, owner)
	owner.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	if b := balance(t, h, 101); b != 130 {
		t.Errorf("Anna's balance %d after the owner's checkout, want 130:\n%s", b, owner.Transcript())
	}
}

// TestStaffErasingTheirCardMidCheckout: Boris, a cashier with a card of
// his own, was half way through Anna's purchase when he opened /privacy
// and deleted his data. His data goes; Anna's purchase, which is his
// work, is asked again and goes through.
func TestStaffErasingTheirCardMidCheckout(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	cashier.Send("/start").Tap("✅ I agree").ShareContact("+79990000901").Tap("Boris").Tap("No, thanks")
	anna := join(t, h, 101, "Anna")
	scan(t, anna, cashier)
	cashier.Send("1000")
	cashier.Send("/privacy").Tap("📦 Download my data").
		Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if found := findEverywhere(t, h, "9990000901"); len(found) > 0 {
		t.Errorf("the cashier's phone is still stored after his erasure in %v", found)
	}
	if countRows(t, h, `SELECT count(*) FROM customers WHERE telegram_id = 901`) != 0 {
		t.Fatalf("the cashier's data was not erased:\n%s", cashier.Transcript())
	}
	cashier.Tap("➕ Accrue +30")
	if strings.HasSuffix(strings.TrimSpace(cashier.Transcript()), "This button is out of date.") {
		t.Errorf("Anna's purchase, half way when he erased his own data, was lost:\n%s", cashier.Transcript())
	} else if cashier.Tap("✅ Confirm"); balance(t, h, 101) != 130 {
		t.Errorf("Anna's balance %d after the purchase, want 130:\n%s", balance(t, h, 101), cashier.Transcript())
	}
}

// TestStaffErasingTheirCardKeepsTheirNextCommand: Boris, a cashier with
// a card of his own, deletes his data and types /scan right away, for
// the next customer; his /scan waits its turn behind the erasure. It is
// his work, not the card's: it is answered, not dropped without a word.
func TestStaffErasingTheirCardKeepsTheirNextCommand(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	cashier.Send("/start").Tap("✅ I agree").ShareContact("+79990000901").Tap("Boris").Tap("No, thanks")
	cashier.Send("/privacy").Tap("🗑 Delete my data")
	storeText(t, h, cashier, 990201, "/scan")
	cashier.Tap("Yes, delete my data")
	if !strings.Contains(cashier.Last().Text, "personal data is erased") {
		t.Fatalf("no confirmation:\n%s", cashier.Transcript())
	}
	mark := len(cashier.U.Messages())
	bottest.Restart(t, h).Settle()
	if len(cashier.U.Messages()) == mark {
		t.Errorf("the cashier's /scan typed behind his erasure was never answered:\n%s", cashier.Sync().Transcript())
	}
}

// TestStaffErasureLeavesNoCopyOfTheirCustomerData: Boris, a cashier,
// is a member too: he filled in the questionnaire (birthday, email) in
// his work chat, asked for his data export, and deletes his data there.
// His work stays, but nothing of him as a customer may: not the answers
// he typed (kept in the stored updates of his chat), not his export
// still waiting to go (Telegram held it back).
func TestStaffErasureLeavesNoCopyOfTheirCustomerData(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withPresets("basic"))
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	cashier.Send("/start").Tap("✅ I agree").ShareContact("+79990000961").Send("Bobby").Tap("Yes, please")
	scan(t, cashier, owner)
	owner.Send("500").Tap("➕ Accrue +15").Tap("✅ Confirm")
	cashier.Sync().
		Tap("📝 About you (up to +105 points)").
		Send("14.03.1990").Send("boris.secret@example.org").Tap("Male").Send("Moscow")
	cashier.Send("/privacy").Tap("📦 Download my data")
	if cashier.Last().Document == nil {
		t.Fatalf("no export:\n%s", cashier.Transcript())
	}
	var boris int64
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT id FROM customers WHERE telegram_id = 961`).Scan(&boris); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 961 AND about_customer_id = $1`, boris); n < 2 {
		t.Fatalf("%d of his export and purchase notice say whom they are about", n)
	}
	cashier.Send("/privacy").Tap("🗑 Delete my data")
	// The export is held back by Telegram (a 429): it waits in the outbox.
	doc := base64.StdEncoding.EncodeToString([]byte(`{"phone": "+79990000961", "facts": {"birthday": "1990-03-14"}}`))
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO outbox (chat_id, payload, created_at, not_before, retry_at, about_customer_id)
		VALUES (961, jsonb_build_object('chat_id', 961, 'document', jsonb_build_object('name', 'my-data.json', 'data', $1::text)),
		$2, $2, now() + interval '1 hour', $3)`, doc, h.Clock.Now(), boris); err != nil {
		t.Fatal(err)
	}
	if _, err := cashier.U.Tap("Yes, delete my data"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for countRows(t, h, `SELECT count(*) FROM customers WHERE telegram_id = 961`)+
		countRows(t, h, `SELECT count(*) FROM updates WHERE processed_at IS NULL`) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the erasure was not done:\n%s", cashier.Transcript())
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, secret := range []string{"9990000961", "boris.secret@example.org", "14.03.1990", "1990-03-14"} {
		if found := findEverywhere(t, h, secret); len(found) > 0 {
			t.Errorf("%q is still stored after the cashier's erasure in %v", secret, found)
		}
	}
}
