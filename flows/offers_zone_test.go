package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestOffersTellEveryStorePromotionAtTheMembersClock: an all-stores
// promotion the chain's owner starts until 20:00 Moscow (Central's,
// the first store's, clock) runs at River (Tashkent, two hours ahead)
// until 22:00 River's time: River's member reads that in /offers, as a
// manager at River reads it in /promo, not Moscow's 20:00.
func TestOffersTellEveryStorePromotionAtTheMembersClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en") // Sunday 22 November, 15:00 in Moscow, 17:00 in Tashkent
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("All stores").Tap("▶ Now").Send("20:00").
		Send("Evening everywhere").Tap("🔥 Start")
	if got := owner.Last().Text; !strings.HasPrefix(got, "🔥 Started: Evening everywhere, points ×2 at all stores until 20:00.") {
		t.Fatalf("started:\n%s", owner.Transcript())
	}
	anna := joinVia(t, h, 151, "Anna", "s_river")
	anna.Send("/offers")
	if got := anna.Last().Text; !strings.Contains(got, "Evening everywhere: points ×2 at all stores, now until 22:00") {
		t.Errorf("River's member's /offers tells another store's clock (the promotion runs at River until 22:00 Tashkent):\n%s", got)
	}
	boris := h.Chat(101, "Boris", "en")
	boris.Send("/start s_central").Tap("✅ I agree").ShareContact("+79990000101").Tap("Boris").Tap("No, thanks")
	boris.Send("/offers")
	if got := boris.Last().Text; !strings.Contains(got, "Evening everywhere: points ×2 at all stores, now until 20:00") {
		t.Errorf("Central's member's /offers:\n%s", got)
	}
}

// TestAnnouncementOfEveryStorePromotionAtTheMembersClock: the members
// told of an all-stores promotion until 20:00 Moscow read the end at
// every store's clock: River's (Tashkent) member reads 22:00 at River,
// not Moscow's 20:00 alone.
func TestAnnouncementOfEveryStorePromotionAtTheMembersClock(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Tashkent" })
	owner := h.Chat(ownerID, "Olga", "en") // Sunday 22 November, 15:00 in Moscow, 17:00 in Tashkent
	anna := h.Chat(151, "Anna", "en")
	anna.Send("/start s_river").Tap("✅ I agree").ShareContact("+79990000151").Tap("Anna").Tap("Yes, please")
	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("All stores").Tap("▶ Now").Send("20:00").
		Send("Evening everywhere").Tap("🔥 Start").Tap("📣 Tell the members").Tap("👥 Everyone who agreed to offers").
		Tap("✅ Send to 1 customer")
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "points ×2 at all stores until 20:00 (Central), 22:00 (River).") {
		t.Errorf("River's member is told the end at Moscow's clock (it runs at River until 22:00 Tashkent):\n%s", anna.Transcript())
	}
}
