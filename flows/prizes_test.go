package flows_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withTillPrizes names two prizes of the road map: a coffee for 120 points
// and a bag of beans for 600.
func withTillPrizes(b *domain.Business) {
	b.Gamification.Rewards = []domain.RewardItem{
		{ID: "beans", Points: 600, Title: map[string]string{"en": "a bag of beans", "ru": "пачка зёрен", "uz": "qahva donlari"}},
		{ID: "coffee", Points: 120, Title: map[string]string{"en": "a free coffee", "ru": "бесплатный кофе", "uz": "bepul qahva"}},
	}
}

// TestPrizeAtTheRegister: the scanned card offers the prizes its points
// pay for; the cashier taps one, sees the balance before and after and
// gives it; the customer is told and their history names the prize; the
// same card stays on screen for the purchase of the visit. A word typed
// at the confirmation, a second tap on Give, a prize the card no longer
// pays for and a card found by phone lose nothing and give nothing
// twice; a manager cancels a prize given by mistake and the points go
// back, a cashier cannot.
func TestPrizeAtTheRegister(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTillPrizes)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 931, "Boris")
	manager := hire(t, h, owner, "manager", 932, "Mila")
	anna := join(t, h, 131, "Anna") // 100 welcome points
	scan(t, anna, cashier)
	if strings.Contains(buttons(cashier), "🎁") {
		t.Fatalf("a card of 100 points is offered a prize of 120:\n%s", cashier.Transcript())
	}
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm") // 130

	cashier.Note("Anna takes her coffee, and buys a croissant at the same visit")
	scan(t, anna, cashier)
	if b := buttons(cashier); !strings.Contains(b, "🎁 a free coffee · 120 points") || strings.Contains(b, "beans") {
		t.Fatalf("the prizes offered for 130 points:\n%s", cashier.Transcript())
	}
	cashier.Tap("🎁 a free coffee · 120 points")
	if got := cashier.Last().Text; !strings.Contains(got, "Give Anna a free coffee for 120 points?") ||
		!strings.Contains(got, "Balance: 130 → 10.") {
		t.Fatalf("the prize's confirmation:\n%s", cashier.Transcript())
	}
	cashier.Tap("↩ Back").Tap("🎁 a free coffee · 120 points").Send("coffee please")
	give := cashier.Last()
	cashier.Tap("✅ Give the prize")
	if got := balance(t, h, 131); got != 10 {
		t.Fatalf("balance %d after the prize, want 10", got)
	}
	cashier.Callback(give.ID, give.Inline[0][0].Data, "the same Give again (a double tap)")
	if n := countRows(t, h, `SELECT count(*) FROM prizes_given`); n != 1 {
		t.Fatalf("%d prizes recorded after a double tap, want 1", n)
	}
	if got := balance(t, h, 131); got != 10 {
		t.Fatalf("balance %d after a double tap, want 10", got)
	}
	cashier.Send("200").Tap("➕ Accrue +6").Tap("✅ Confirm")
	if got := balance(t, h, 131); got != 16 {
		t.Fatalf("balance %d after the croissant, want 16:\n%s", got, cashier.Transcript())
	}
	if strings.Contains(buttons(cashier), "Cancel this prize") {
		t.Fatalf("a cashier is offered to cancel a prize:\n%s", cashier.Transcript())
	}
	var prizeID string
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT public_id FROM prizes_given`).Scan(&prizeID); err != nil {
		t.Fatal(err)
	}
	cashier.SignedCallback(cashier.Last().ID, "x:prizecancel:"+prizeID, "a cashier's crafted Cancel of the prize")
	if got := balance(t, h, 131); got != 16 {
		t.Fatalf("a cashier cancelled a prize: balance %d", got)
	}
	cashier.Send("/today")
	if got := cashier.Last().Text; !strings.Contains(got, "Purchases: 2 · receipts 1,200 RUB") ||
		!strings.Contains(got, "Prizes you gave: 1 · −120 points") {
		t.Fatalf("/today after a prize:\n%s", got)
	}
	anna.Send("/balance")
	bottest.Golden(t, "prize_cashier", cashier.Transcript())
	bottest.Golden(t, "prize_customer", anna.Transcript())

	manager.Note("the points were spent elsewhere while the card was on screen")
	h.Clock.Advance(time.Hour)
	bob := join(t, h, 133, "Bob")
	adjust := func(phone, points string) {
		owner.Send("/customer " + phone).Tap("± Points").Send(points).Send("a test").Tap("✅ Confirm")
	}
	adjust("+79990000131", "+200") // 216: the coffee and not the beans
	scan(t, anna, cashier)
	cashier.Tap("🎁 a free coffee · 120 points")
	adjust("+79990000131", "-150") // 66 left
	cashier.Tap("✅ Give the prize")
	if !strings.Contains(texts(cashier), "The card no longer pays for this prize: it takes 120 points, the card has 66 to spend.") {
		t.Fatalf("a prize the card no longer pays for:\n%s", cashier.Transcript())
	}
	if got := balance(t, h, 131); got != 66 {
		t.Fatalf("balance %d after a refused prize, want 66", got)
	}

	manager.Note("a card found by phone pays for nothing, prizes included")
	adjust("+79990000133", "+500")
	manager.Send("/scan").Send("+79990000133")
	if strings.Contains(buttons(manager), "🎁") {
		t.Fatalf("a card found by phone is offered prizes:\n%s", manager.Transcript())
	}

	manager.Note("a manager gives a prize by mistake and cancels it")
	scan(t, bob, manager)
	manager.Tap("🎁 a free coffee · 120 points").Tap("✅ Give the prize")
	if got := balance(t, h, 133); got != 480 {
		t.Fatalf("Bob's balance %d after the prize, want 480", got)
	}
	var given tgfake.Message
	for _, m := range manager.U.Messages() {
		if strings.HasPrefix(m.Text, "🎁 Given") {
			given = m
		}
	}
	manager.TapOld(given.ID, "Cancel this prize").Tap("No, keep it")
	manager.TapOld(given.ID, "Cancel this prize").Tap("Yes, cancel it")
	if got := balance(t, h, 133); got != 600 {
		t.Fatalf("Bob's balance %d after the prize's cancellation, want 600", got)
	}
	manager.Send("/staff").Tap("🧾 Recent purchases")
	if got := manager.Last().Text; !strings.Contains(got, "· Anna · 🎁 a free coffee · −120 points · Boris") ||
		!strings.Contains(got, "· Bob · 🎁 a free coffee · −120 points · Mila (cancelled)") {
		t.Fatalf("the recent prizes:\n%s", manager.Transcript())
	}
	manager.Tap(buttonWith(t, manager, "Anna · a free coffee")).Tap("No, keep it")
	if got := balance(t, h, 131); got != 66 {
		t.Fatalf("Anna's balance %d after No, want 66", got)
	}
	h.Clock.Advance(25 * time.Hour)
	manager.SignedCallback(manager.Last().ID, "x:prizecancel:"+prizeID, "cancel Anna's prize a day later")
	if !strings.Contains(manager.Last().Text, "A prize can be cancelled within 24 hours only.") {
		t.Fatalf("an old prize's cancellation:\n%s", manager.Transcript())
	}
	bob.Sync()
	if !strings.Contains(texts(bob), "🎁 The prize a free coffee was cancelled: 120 points are back on your card. Balance: 600.") {
		t.Fatalf("Bob was not told of the cancellation:\n%s", bob.Transcript())
	}
	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "🎁 Prizes given: 1; points paid for them: 120 (in the redeemed)") ||
		!strings.Contains(got, "redeemed 120 (") {
		t.Fatalf("/stats counts the prize that stands, not the one cancelled:\n%s", got)
	}
	owner.Tap("🧑‍💼 Staff")
	if got := owner.Last().Text; !strings.Contains(got, "▪️ Boris (cashier): ") || !strings.Contains(got, " · prizes given 1") {
		t.Fatalf("/stats staff counts no prize of Boris's:\n%s", got)
	}
	owner.Send("/export").Tap("🎁 Prizes given")
	rows := lastCSV(t, owner, "prizes-2026-11-23.csv")
	if len(rows) != 3 || strings.Join(rows[0], ",") != "prize_id,at,store,customer_id,staff,source,reward,title,points,stamps,cancelled_at,time_zone" ||
		strings.Join(rows[1][4:10], ",") != "Boris,bot,coffee,a free coffee,120,0" || rows[1][10] != "" ||
		strings.Join(rows[2][4:10], ",") != "Mila,bot,coffee,a free coffee,120,0" || rows[2][10] == "" {
		t.Fatalf("the prizes export: %q", rows)
	}
	bob.Send("/privacy").Tap("📦 Download my data")
	var data struct {
		Prizes []map[string]any `json:"prizes"`
	}
	if doc := bob.Last().Document; doc == nil || json.Unmarshal(doc.Data, &data) != nil || len(data.Prizes) != 1 ||
		data.Prizes[0]["prize"] != "a free coffee" || data.Prizes[0]["points"] != float64(120) ||
		data.Prizes[0]["store"] != "Central" || data.Prizes[0]["cancelled_at"] == nil {
		t.Fatalf("the prizes in Bob's data: %+v", data)
	}
	cardsAddUp(t, h, 131, 133)
}
