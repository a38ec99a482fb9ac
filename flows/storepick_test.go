package flows_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withChain gives the business 120 stores, as a franchise chain has.
func withChain(b *domain.Business) {
	for i := 3; i <= 120; i++ {
		b.Stores = append(b.Stores, domain.StoreConfig{Code: fmt.Sprintf("s%03d", i), Name: fmt.Sprintf("Store %03d", i),
			TimeZone: "Europe/Moscow"})
	}
}

// TestChainOfStoresPicksAPageAtATime: with 120 stores every store picker
// (an invitation's store, a promotion's, /myqr, /stats, the customers'
// /top) shows a page of them with ◀ ▶ and stays within Telegram's 100
// buttons (the fake refuses more, as Telegram does, so an oversized
// message would never arrive), and a store on a later page is reached.
func TestChainOfStoresPicksAPageAtATime(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, withChain)
	owner := h.Chat(ownerID, "Olga", "en")
	fits := func(c *bottest.Chat, what string) {
		t.Helper()
		n := 0
		for _, row := range c.Last().Inline {
			n += len(row)
		}
		if n == 0 || n > 100 || strings.Contains(c.Last().Text, "went wrong") {
			t.Fatalf("%s: %d buttons:\n%s", what, n, c.Transcript())
		}
	}

	owner.Send("/staff").Tap("➕ Invite a cashier")
	fits(owner, "the invitation's stores")
	owner.Tap("2/6 ▶").Tap("3/6 ▶").Tap("◀ 2/6").Tap("3/6 ▶")
	owner.Tap("Store 045")
	if !strings.Contains(lastTexts(owner, 3), "Store 045") || !linkRe.MatchString(owner.Last().Caption) {
		t.Fatalf("no invitation for Store 045:\n%s", owner.Transcript())
	}

	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2")
	fits(owner, "the promotion's stores")
	owner.Tap("2/6 ▶").Tap("Store 022")
	if !strings.Contains(owner.Transcript(), "Store 022") || !strings.Contains(owner.Last().Text, "When does it start?") &&
		!strings.Contains(lastTexts(owner, 2), "start") {
		t.Fatalf("the promotion's store was not taken:\n%s", owner.Transcript())
	}
	owner.Tap("Cancel")

	owner.Send("/myqr")
	fits(owner, "/myqr's stores")
	owner.Tap("2/6 ▶").Tap("3/6 ▶").Tap("4/6 ▶").Tap("5/6 ▶").Tap("6/6 ▶").Tap("Store 120")
	if _, ok := owner.LastPhoto(); !ok || !strings.Contains(owner.Last().Caption, "Store 120") {
		t.Fatalf("no QR of Store 120:\n%s", owner.Transcript())
	}

	owner.Send("/stats")
	fits(owner, "/stats")
	owner.Tap("🏬 All stores: choose a store")
	fits(owner, "/stats' stores")
	owner.Tap("2/6 ▶").Tap("3/6 ▶").Tap("4/6 ▶").Tap("Store 077")
	if !strings.Contains(owner.Last().Text, "Store 077") || !hasButton(owner, "🏬 Store 077: choose a store") {
		t.Fatalf("/stats of Store 077:\n%s", owner.Transcript())
	}

	anna := join(t, h, 131, "Anna")
	anna.Send("/feedback") // no visit yet: the stores to rate in general
	fits(anna, "/feedback's stores")
	anna.Tap("2/6 ▶").Tap("3/6 ▶").Tap("Store 058")
	if !strings.Contains(lastTexts(anna, 3), "Store 058") {
		t.Fatalf("the stars of Store 058:\n%s", anna.Transcript())
	}

	anna.Send("/top")
	fits(anna, "/top")
	anna.Tap("🏬 Other stores' boards").Tap("2/6 ▶").Tap("Store 030")
	if !strings.Contains(lastTexts(anna, 3), "Store 030, November 2026") {
		t.Fatalf("the board of Store 030:\n%s", anna.Transcript())
	}
}
