package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withPrizes adds three prizes and a Silver tier at 15,000 RUB a year,
// named per language.
func withPrizes(b *domain.Business) {
	b.Gamification.Rewards = []domain.RewardItem{
		{ID: "cookie", Points: 50, Title: map[string]string{"en": "a cookie", "ru": "печенье"}},
		{ID: "coffee", Points: 150, Title: map[string]string{"en": "a free coffee", "ru": "бесплатный кофе"}},
		{ID: "beans", Points: 600, Title: map[string]string{"en": "a bag of beans", "ru": "пачка зёрен"}},
	}
	b.Program.Tiers = append(b.Program.Tiers, domain.Tier{Name: "Silver", MinSpend: 1_500_000, EarnBP: 500,
		Names: map[string]string{"en": "Silver", "ru": "Серебро"}})
}

// TestRewardsRoadMap: /rewards shows the prizes the points pay now, the
// distance to the closest ones and to the next tier, and the nearest
// badges; the card names the closest prize; a purchase moves everything.
func TestRewardsRoadMap(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, withPrizes)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	anna.Send("/rewards")
	m := anna.Last().Text
	for _, want := range []string{"You have 100 points, level Base (3 % back).", "• a cookie (50 points)",
		"• 50 points to a free coffee", "• 500 points to a bag of beans",
		"Next level: 15,000 RUB more in purchases within a year to Silver (5 % back).",
		"Badges within reach:\n🎉 First purchase — make a purchase with your card"} {
		if !strings.Contains(m, want) {
			t.Fatalf("/rewards lacks %q:\n%s", want, m)
		}
	}
	anna.Send("/card")
	if photo, _ := anna.LastPhoto(); !strings.Contains(photo.Caption, "🎁 Your points pay for a cookie: ask at the register.\n50 points to a free coffee") {
		t.Fatalf("the card does not name the prize paid for and the closest: %q", photo.Caption)
	}
	buy(t, anna, cashier)
	anna.Sync().Send("/rewards")
	m = anna.Last().Text
	for _, want := range []string{"You have 150 points", "• a free coffee (150 points)\n• a cookie (50 points)",
		"• 450 points to a bag of beans", "14,000 RUB more in purchases within a year to Silver"} {
		if !strings.Contains(m, want) {
			t.Fatalf("/rewards after a purchase lacks %q:\n%s", want, m)
		}
	}
	bottest.Golden(t, "rewards", anna.Transcript())

	// A tier named per language reads in the customer's.
	anna.Send("/language").Tap("🇷🇺 Русский").Send("/rewards")
	if m := anna.Last().Text; !strings.Contains(m, "— и Серебро (5 % баллами)") {
		t.Fatalf("/rewards in Russian does not name the tier in Russian:\n%s", m)
	}
	anna.Send("/balance")
	if m := anna.Last().Text; !strings.Contains(m, "Серебро") {
		t.Fatalf("/balance in Russian does not name the next tier in Russian:\n%s", m)
	}
}

// TestOnboardingRewardsNudgeOpensTheRoadMap: the fourth week's
// onboarding step invites to the road map, and its button opens it.
func TestOnboardingRewardsNudgeOpensTheRoadMap(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withGames, withPrizes, withNudges)
	anna := join(t, h, 101, "Anna")
	for _, days := range []int{14, 7, 1, 1, 1, 1, 1, 1, 1} { // the fourth week a day at a time, as in TestOnboardingChainGoesInOrder
		h.Clock.Advance(time.Duration(days) * 24 * time.Hour)
		runNudges(t, h)
	}
	anna.Sync()
	if nudgeRows(t, h, "onboarding_rewards", domain.NudgeSent) != 1 {
		t.Fatalf("no onboarding_rewards nudge:\n%s", anna.Transcript())
	}
	anna.Tap("🎁 My rewards")
	if !strings.Contains(anna.Last().Text, "🎁 Your rewards") {
		t.Fatalf("the button did not open /rewards:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'onboarding_rewards' AND click = 'rewards'`); n != 1 {
		t.Fatal("the tap is not recorded as the nudge's click")
	}
}
