package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestRewardsShowsTheBalanceAfterExpiry: the welcome bonus expired before
// the nightly job wrote it off; /rewards must not tell the member they
// have the points, nor offer prizes they would pay for, when /card,
// /balance and the register no longer have them.
func TestRewardsShowsTheBalanceAfterExpiry(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, withPrizes)
	anna := join(t, h, 110, "Anna")
	anna.Send("/rewards")
	if m := anna.Last().Text; !strings.Contains(m, "You have 100 points") {
		t.Fatalf("/rewards at joining:\n%s", m)
	}
	h.Clock.Advance(31 * 24 * time.Hour)
	anna.Send("/rewards")
	m := anna.Last().Text
	if !strings.Contains(m, "You have 0 points") || strings.Contains(m, "a cookie (50 points)") {
		t.Fatalf("/rewards shows the expired welcome bonus:\n%s", m)
	}
	anna.Send("/balance")
	if b := anna.Last().Text; !strings.HasPrefix(b, "Your balance: 0 points") {
		t.Fatalf("/balance after expiry: %q", b)
	}
}

// TestTierLostWhenPurchasesAgeOut: a year after the purchase that made
// the customer Silver, /balance says Base again with the distance, and
// the register quotes Base's rate.
func TestTierLostWhenPurchasesAgeOut(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) {
		b.Program.Tiers = []domain.Tier{{Name: "Base", EarnBP: 300}, {Name: "Silver", MinSpend: 100000, EarnBP: 500}}
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 930, "Boris")
	anna := join(t, h, 130, "Anna")
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	anna.Send("/balance")
	if m := anna.Last().Text; !strings.Contains(m, "Your tier: Silver — 5 %") {
		t.Fatalf("after 1,000 RUB:\n%s", m)
	}
	h.Clock.Advance(366 * 24 * time.Hour)
	anna.Send("/balance")
	if m := anna.Last().Text; !strings.Contains(m, "Your tier: Base — 3 %") || !strings.Contains(m, "Spend 1,000 RUB more within a year to reach Silver") {
		t.Fatalf("a year on, the purchase aged out:\n%s", m)
	}
	scan(t, anna, cashier)
	cashier.Send("100")
	if b := cashier.Last().Buttons(); len(b) == 0 || b[0] != "➕ Accrue +3" {
		t.Fatalf("Base's 3 %% not applied a year on: %v", b)
	}
}
