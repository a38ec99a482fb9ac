package flows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withUzbek offers Uzbek next to Russian and English, in a shop in
// Tashkent that counts in soʻm.
func withUzbek(b *domain.Business) {
	b.Languages = []string{"ru", "en", "uz"}
	b.Currency = "UZS"
	for i := range b.Stores {
		b.Stores[i].TimeZone = "Asia/Tashkent"
	}
}

// TestUzbekCustomer plays a customer whose Telegram speaks Uzbek: greeted
// and onboarded in Uzbek, served by an Uzbek-speaking cashier, answering
// the basic preset the way people in Tashkent type, then switching
// language with /language, where Uzbek is offered.
func TestUzbekCustomer(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withUzbek, withPresets("basic"))
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff").Tap("➕ Invite a cashier").Tap("Central")
	m := linkRe.FindStringSubmatch(owner.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link in %q", owner.Last().Caption)
	}
	cashier := h.Chat(951, "Bobur", "uz")
	cashier.Send("/start " + m[1])

	c := h.Chat(150, "Dilnoza", "uz")
	c.Send("/start s_central")
	if got := c.Transcript(); !strings.Contains(got, "sodiqlik dasturiga xush kelibsiz") {
		t.Fatalf("a customer with Telegram in Uzbek is not greeted in Uzbek:\n%s", got)
	}
	c.Tap("✅ Roziman").
		Tap("📱 Telefon raqamimni ulashish").
		Tap("Dilnoza").
		Tap("Ha, albatta")

	cashier.Note("the cashier types the amount with soʻm")
	scan(t, c, cashier)
	cashier.Send("150 000 soʻm").Tap("➕ Ball qoʻshish +4 500").Tap("✅ Tasdiqlash")
	c.Sync().
		Note("the first purchase offers the basic preset, in Uzbek").
		Tap("📝 Siz haqingizda (+105 ballgacha)").
		Send("12-mart 1990-yil").
		Send("dilnoza@example.uz").
		Send("ayol").
		Send("Toshkent").
		Note("/language offers all three; English, then back to Uzbek").
		Send("/language").
		Tap("🇬🇧 English").
		Send("/language").
		Tap("🇺🇿 Oʻzbekcha").
		Send("/balance")
	bottest.Golden(t, "uzbek_customer", c.Transcript())
	bottest.Golden(t, "uzbek_cashier", cashier.Transcript())

	cust, card := customer(t, h, 150)
	if cust.Language != "uz" || card.Balance != 100+4500+20+15+10+10+50 {
		t.Fatalf("language %q, balance %d", cust.Language, card.Balance)
	}
	var bday string
	if err := h.DB.Pool().QueryRow(context.Background(), `SELECT value FROM facts WHERE name = 'birthday'`).Scan(&bday); err != nil || bday != "1990-03-12" {
		t.Fatalf("birthday fact %q %v", bday, err)
	}
}

// TestUzbekCommandMenu checks setMyCommands for uz: a client in Uzbek
// sees the command menu in Uzbek.
func TestUzbekCommandMenu(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withUzbek)
	if err := h.Bot.RegisterCommands(context.Background(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	menu := map[string]string{}
	for _, c := range h.Fake.Commands(`{"type":"all_private_chats"}`, "uz") {
		menu[c.Command] = c.Description
	}
	if menu["card"] != "Sodiqlik kartam (QR)" || menu["language"] != "Tilni oʻzgartirish" {
		t.Fatalf("the uz command menu: %v", menu)
	}
}
