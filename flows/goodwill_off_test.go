package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestNoGoodwillPointsConfigured: goodwill_points = 0 is a valid config
// (Validate: 0 to 1,000,000). The alert then must not offer a button that
// can only fail.
func TestNoGoodwillPointsConfigured(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) { withOwner(b); b.Feedback.Goodwill = 0 })
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("2⭐")
	owner.Sync()
	if b := strings.Join(owner.Last().Buttons(), "|"); b != "↩️ Reply|✅ Resolved" {
		t.Fatalf("the alert's buttons with no goodwill points configured: %s", b)
	}
}
