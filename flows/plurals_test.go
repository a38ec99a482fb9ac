package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestRussianNumbersAgree follows a number into two Russian messages that
// once counted it with one fixed word: the welcome message after the
// first purchase ("Сейчас у вас 131 баллов") now names the number instead
// ("Баллов на карте сейчас: 131"), and the owner's apology button takes
// the plural form of the configured points, which the engine chooses only
// when the alert passes them as the count ("Подарить 21 балл", not "21
// балла", the form every count without one gets). The owner who gets it
// is not a customer and talks to the bot in Russian, in a business whose
// default is English: the alert follows the language he talks in.
func TestRussianNumbersAgree(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withNudges, func(b *domain.Business) {
		b.Owners = []int64{ownerID, 902}
		b.Feedback.Goodwill = 21
	})
	owner := h.Chat(ownerID, "Olga", "en")
	pavel := h.Chat(902, "Pavel", "ru")
	pavel.Send("/help")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	anna.Send("/language").Tap("🇷🇺 Русский")
	scan(t, anna, cashier)
	cashier.Send("1034").Tap("➕ Accrue +31").Tap("✅ Confirm")

	h.Clock.Advance(time.Hour)
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v an hour after the first purchase, want the welcome", rep)
	}
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "Спасибо за первую покупку, Anna!") || !strings.Contains(got, "Баллов на карте сейчас: 131.") {
		t.Fatalf("welcome in Russian:\n%s", got)
	}

	anna.Send("/feedback").Tap("2⭐")
	pavel.Sync()
	if got := pavel.Last().Buttons(); !slices.Contains(got, "🎁 Подарить 21 балл") {
		t.Fatalf("the alert's buttons %q lack “🎁 Подарить 21 балл”", got)
	}
	pavel.Tap("🎁 Подарить 21 балл")
	if got := pavel.Last().Text; !strings.Contains(got, "Anna: начислено 21 (баланс 152)") {
		t.Fatalf("after the gift: %q", got)
	}
}

// TestStaffAlertsFollowTheirLanguage: an owner listed in the config, never
// a customer, gets alerts in the language the bot answers him in (his
// Telegram language), and in the one he picks with /language after that,
// not in the business default (English here).
func TestStaffAlertsFollowTheirLanguage(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) { b.Owners = []int64{ownerID, 902} })
	owner := h.Chat(ownerID, "Olga", "en")
	pavel := h.Chat(902, "Pavel", "ru")
	pavel.Send("/help")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("2⭐")
	pavel.Sync()
	if got := pavel.Last().Text; !strings.Contains(got, "Низкая оценка ★★☆☆☆ от клиента Anna") {
		t.Fatalf("alert to a Russian-speaking owner:\n%s", got)
	}

	pavel.Send("/language").Tap("🇬🇧 English")
	bob := join(t, h, 102, "Bob")
	buy(t, bob, cashier)
	bob.Send("/feedback").Tap("1⭐")
	pavel.Sync()
	if got := pavel.Last().Text; !strings.Contains(got, "Low rating ★☆☆☆☆ from Bob") {
		t.Fatalf("alert after /language English:\n%s", pavel.Transcript())
	}
}
