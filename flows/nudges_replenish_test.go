package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// posBuy records a 1,000 ₽ purchase with categories on the customer's
// card as the POS API does (the chat checkout sends no categories), now,
// and waits for the messages it queued.
func posBuy(t *testing.T, h *bottest.Harness, tgID int64, cats ...string) {
	t.Helper()
	_, card := customer(t, h, tgID)
	ctx := t.Context()
	err := h.DB.Update(ctx, func(tx domain.Tx) error {
		shop, err := tx.FindShopByCode(ctx, "central")
		if err != nil {
			return err
		}
		_, err = h.Engine.Service.RecordPurchase(ctx, tx, domain.PurchaseRequest{CardID: card.ID, ShopID: shop.ID,
			Source: domain.SourcePOS, IdempotencyKey: domain.NewPublicID(), Amount: 100000, Currency: "RUB", Categories: cats})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.Settle()
}

// withReplenish watches coffee beans (14 days, with its own text and the
// offer the customer last came back for: 50 points first, else 10 % off
// the beans) and tea (10 days, 15 % off tea).
func withReplenish(b *domain.Business) {
	r, _ := b.Nudges.Rule("replenish")
	r.Cycles = map[string]int{"coffee_beans": 14}
	r.CategoryText = map[string]map[string]string{"coffee_beans": {
		"en": "{{.Name}}, your {{.Category}} must be running low: the usual pack is waiting.",
		"ru": "{{.Name}}, {{.Category}}, наверное, заканчивается: ваша обычная пачка ждёт."}}
	r.Offers = []domain.NudgeOffer{{Type: domain.OfferPoints, Points: 50, Days: 14},
		{Type: domain.OfferDiscount, Category: "coffee_beans", Percent: 10, Days: 7}}
	r.OfferChoice = domain.OfferLastConverted
	b.Nudges.CategoryNames = map[string]map[string]string{"coffee_beans": {"en": "coffee beans", "ru": "кофе в зёрнах"}}
	b.Nudges.Rules = append(b.Nudges.Rules, domain.NudgeRule{ID: "tea", Kind: domain.NudgeReplenish, Enabled: true,
		Priority: 55, Marketing: true, Window: 3, AttributionDays: 7, Cycles: map[string]int{"tea": 10}, LeadDays: 2,
		Offers: []domain.NudgeOffer{{Type: domain.OfferDiscount, Category: "tea", Percent: 15, Days: 7}}})
}

// TestReplenishReminderWithCategoryTextAndLearnedOffer: two days before
// her tea runs out Anna gets 15 % off tea, and comes back for it; two days
// before her coffee beans run out she gets their own text and, having
// come back for a discount, 10 % off the beans, not points. Bob bought
// beans again on day 5, so his reminder waits for day 17, and brings the
// first offer, 50 points. /stats nudges counts the offer types.
func TestReplenishReminderWithCategoryTextAndLearnedOffer(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withReplenish)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 101, "Anna")
	bob := joinConsenting(t, h, 102, "Bob")
	start := h.Clock.Now()
	at := func(d time.Duration) { h.Clock.Advance(start.Add(d).Sub(h.Clock.Now())) }
	anna.Note("the POS records coffee beans and tea")
	posBuy(t, h, 101, "coffee_beans", "tea")
	anna.Sync()
	posBuy(t, h, 102, "coffee_beans")
	at(5 * 24 * time.Hour)
	posBuy(t, h, 102, "coffee_beans")

	at(8 * 24 * time.Hour)
	runNudges(t, h)
	anna.Note("day 8: the tea runs out in two days").Sync()
	last := anna.Last().Text
	if !strings.Contains(last, "Anna, it may be time to stock up on tea again.") ||
		!strings.Contains(last, "15 % off tea, until 07.12.2026. Show this message at the register (offer no. ") {
		t.Fatalf("tea reminder:\n%s", anna.Transcript())
	}
	at(9 * 24 * time.Hour)
	anna.Note("day 9: she buys tea")
	posBuy(t, h, 101, "tea")
	anna.Sync()

	at(12*24*time.Hour - time.Minute)
	runNudges(t, h)
	if got(anna, "coffee beans") != 0 {
		t.Fatalf("the beans reminder came early:\n%s", anna.Transcript())
	}
	at(12 * 24 * time.Hour)
	runNudges(t, h)
	anna.Note("day 12: the beans run out in two days").Sync()
	last = anna.Last().Text
	if !strings.Contains(last, "Anna, your coffee beans must be running low: the usual pack is waiting.") ||
		!strings.Contains(last, "10 % off coffee beans, until 11.12.2026") || strings.Contains(last, "points are on your card") {
		t.Fatalf("beans reminder with the learned discount:\n%s", anna.Transcript())
	}
	if got(bob, "coffee beans") != 0 {
		t.Fatalf("Bob bought beans again on day 5, yet got the reminder on day 12:\n%s", bob.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger l JOIN cards k ON k.id = l.card_id JOIN customers c ON c.id = k.customer_id
		WHERE l.kind = 'nudge' AND c.telegram_id = 101`); n != 0 {
		t.Fatalf("a discount credited %d ledger rows", n)
	}

	at(17 * 24 * time.Hour)
	runNudges(t, h)
	bob.Note("day 17").Sync()
	if got(bob, "Bob, your coffee beans must be running low") != 1 || got(bob, "50 points are on your card, valid until 23.12.2026") != 1 {
		t.Fatalf("Bob's reminder with the first offer:\n%s", bob.Transcript())
	}
	anna.Note("day 17: the tips, and her tea again").Sync().Tap("💳 My card")
	if _, ok := anna.LastPhoto(); !ok {
		t.Fatalf("the reminder's button did not show the card:\n%s", anna.Transcript())
	}
	bottest.Golden(t, "nudge_replenish", anna.Transcript())

	owner.Send("/stats nudges")
	text := owner.Last().Text
	for _, want := range []string{"▪️ Time to restock: 2 due — 2 sent", "▪️ tea: 2 due — 2 sent", "By offer type",
		"discount: 3 sent, 1 bought (33.3 %)", "points: 1 sent, 0 bought"} {
		if !strings.Contains(text, want) {
			t.Fatalf("/stats nudges lacks %q:\n%s", want, text)
		}
	}
}
