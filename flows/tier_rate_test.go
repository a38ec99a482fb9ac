package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withHalfPercents earns 2.5 % in the first tier and 7.5 % from 1,000 of
// yearly spend, rates the config writes as earn_percent = "2.5".
func withHalfPercents(b *domain.Business) {
	b.Program.Tiers = []domain.Tier{
		{Name: "Base", MinSpend: 0, EarnBP: 250, Names: map[string]string{"en": "Base", "ru": "Базовый", "uz": "Boshlangʻich"}},
		{Name: "Gold", MinSpend: 100_000, EarnBP: 750, Names: map[string]string{"en": "Gold", "ru": "Золото", "uz": "Oltin"}},
	}
}

// TestTierRatesReadWithTheReadersDecimalSeparator: a tier earning 2.5 %
// is "2,5 %" to a Russian or Uzbek reader, as every other number with a
// fraction the bot shows them ("1 234,50 ₽"), and "2.5 %" in English: in
// /balance, /rewards, the cashier's scan and the tier-up message.
func TestTierRatesReadWithTheReadersDecimalSeparator(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withUzbek, withHalfPercents)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	cashier.Send("/language").Tap("🇷🇺 Русский")
	for _, c := range []struct {
		id                            int64
		name, lang, agree, phone, yes string
		tier, next, up                string
	}{
		{101, "Анна", "ru", "✅ Согласен(на)", "+79990000101", "Да, присылайте",
			"Базовый — 2,5 %", "и Золото (7,5 % баллами)", "начисляем 7,5 %"},
		{102, "Dilnoza", "uz", "✅ Roziman", "+998901234567", "Ha, albatta",
			"Boshlangʻich — har bir xariddan 2,5 %", "va Oltin (7,5 % qaytadi)", "7,5 % ball olasiz"},
		{103, "Anna", "en", "✅ I agree", "+79990000103", "Yes, please",
			"Base — 2.5 %", "Gold (7.5 % back)", "you earn 7.5 %"},
	} {
		m := h.Chat(c.id, c.name, c.lang)
		m.Send("/start").Tap(c.agree).ShareContact(c.phone).Tap(c.name).Tap(c.yes)
		m.Send("/balance")
		if got := m.Last().Text; !strings.Contains(got, c.tier) {
			t.Errorf("%s /balance lacks %q:\n%s", c.lang, c.tier, got)
		}
		m.Send("/rewards")
		if got := m.Last().Text; !strings.Contains(got, c.next) {
			t.Errorf("%s /rewards lacks %q:\n%s", c.lang, c.next, got)
		}
		scan(t, m, cashier)
		if got := lastTexts(cashier, 2); !strings.Contains(got, "(2,5 %)") {
			t.Errorf("the Russian cashier's scan of the %s member:\n%s", c.lang, got)
		}
		cashier.Send("1000").Tap("➕ Начислить +25").Tap("✅ Подтвердить")
		m.Sync()
		if got := lastTexts(m, 3); !strings.Contains(got, c.up) {
			t.Errorf("%s tier-up message lacks %q:\n%s", c.lang, c.up, got)
		}
	}
}
