package flows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withStamps turns on a stamp card: a stamp for each purchase of 100 RUB
// or more, a free latte for three stamps, beside a coffee for 120 points.
func withStamps(b *domain.Business) {
	b.Gamification.Stamps = domain.StampsConfig{Enabled: true, MinAmount: 10_000}
	b.Gamification.Rewards = []domain.RewardItem{
		{ID: "coffee", Points: 120, Title: map[string]string{"en": "a free coffee", "ru": "бесплатный кофе", "uz": "bepul qahva"}},
		{ID: "latte", Stamps: 3, Title: map[string]string{"en": "a free latte", "ru": "бесплатный латте", "uz": "bepul latte"}},
	}
}

// TestStampCard: each purchase of the minimum or more is a stamp, counted
// in the customer's message, on the card and in /rewards; once the
// stamps pay for the prize the register offers it, giving it takes the
// stamps (not the points), and a cancelled prize gives them back, a
// cancelled purchase takes its stamp.
func TestStampCard(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStamps)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 941, "Boris")
	manager := hire(t, h, owner, "manager", 942, "Mila")
	anna := join(t, h, 141, "Anna") // 100 welcome points
	anna.Send("/card")
	if photo, _ := anna.LastPhoto(); !strings.Contains(photo.Caption, "☕ Stamp card: 0 of 3 to a free latte.") {
		t.Fatalf("the card without stamps: %q", photo.Caption)
	}
	for _, rubles := range []int{50, 200, 300} {
		buyFor(t, anna, cashier, rubles)
	}
	anna.Sync()
	if got := texts(anna); !strings.Contains(got, "Thank you for your purchase of 50 RUB! Points: +1. Balance: 101.\n") ||
		!strings.Contains(got, "Balance: 107.\n+1 stamp · ☕ Stamp card: 1 of 3 to a free latte.\n") ||
		!strings.Contains(got, "Balance: 116.\n+1 stamp · ☕ Stamp card: 2 of 3 to a free latte.\n") {
		t.Fatalf("the purchases' messages and their stamps:\n%s", anna.Transcript())
	}
	scan(t, anna, cashier)
	if strings.Contains(buttons(cashier), "latte") {
		t.Fatalf("two stamps are offered a prize of three:\n%s", cashier.Transcript())
	}
	cashier.Send("400").Tap("➕ Accrue +12").Tap("✅ Confirm")
	anna.Sync()
	if !strings.Contains(texts(anna), "+1 stamp · 🎁 Your stamps (3 stamps) pay for a free latte: ask at the register.") {
		t.Fatalf("the third stamp's message:\n%s", anna.Transcript())
	}
	anna.Send("/rewards")
	if !strings.Contains(anna.Last().Text, "🎁 Your stamps (3 stamps) pay for a free latte: ask at the register.") ||
		strings.Contains(anna.Last().Text, "a free latte (") {
		t.Fatalf("/rewards with the stamps:\n%s", anna.Last().Text)
	}

	scan(t, anna, cashier)
	cashier.Tap("🎁 a free latte · 3 stamps")
	if got := cashier.Last().Text; !strings.Contains(got, "Give Anna a free latte for 3 stamps?\nStamps: 3 → 0.") {
		t.Fatalf("the stamp prize's confirmation:\n%s", cashier.Transcript())
	}
	cashier.Tap("✅ Give the prize")
	if got := balance(t, h, 141); got != 128 {
		t.Fatalf("a stamp prize moved points: balance %d, want 128", got)
	}
	if b := buttons(cashier); strings.Contains(b, "latte") || !strings.Contains(b, "🎁 a free coffee · 120 points") {
		t.Fatalf("after the stamp prize, the register offers:\n%s", cashier.Transcript())
	}
	anna.Sync()
	if !strings.Contains(texts(anna), "🎁 Your prize: a free latte! Paid with stamps: −3 stamps. Stamps left: 0.") {
		t.Fatalf("the customer's message of the stamp prize:\n%s", anna.Transcript())
	}
	anna.Send("/card")
	if photo, _ := anna.LastPhoto(); !strings.Contains(photo.Caption, "☕ Stamp card: 0 of 3 to a free latte.") {
		t.Fatalf("the card after the prize: %q", photo.Caption)
	}
	bottest.Golden(t, "stamps_cashier", cashier.Transcript())
	bottest.Golden(t, "stamps_customer", anna.Transcript())

	manager.Note("the prize was a mistake: cancelled, the stamps come back; then a purchase is cancelled, its stamp goes")
	manager.Send("/staff").Tap("🧾 Recent purchases")
	if got := manager.Last().Text; !strings.Contains(got, "Prizes of the last 24 hours:") ||
		!strings.Contains(got, "· Anna · 🎁 a free latte · −3 stamps · Boris") {
		t.Fatalf("the recent prizes:\n%s", manager.Transcript())
	}
	manager.Tap(buttonWith(t, manager, "a free latte")).Tap("Yes, cancel it")
	anna.Sync()
	if !strings.Contains(texts(anna), "🎁 The prize a free latte was cancelled: 3 stamps are back on your card. Stamps: 3.") {
		t.Fatalf("the prize's cancellation:\n%s", anna.Transcript())
	}
	manager.Send("/staff").Tap("🧾 Recent purchases").Tap(buttonWith(t, manager, "400 RUB")).Tap("Yes, cancel it")
	anna.Send("/card")
	if photo, _ := anna.LastPhoto(); !strings.Contains(photo.Caption, "☕ Stamp card: 2 of 3 to a free latte.") {
		t.Fatalf("the card after a purchase's cancellation: %q\n%s", photo.Caption, manager.Transcript())
	}
	manager.Send("/customer +79990000141")
	if got := manager.Last().Text; !strings.Contains(got, "☕ Stamp card: 2 stamps\n🎁 Prizes:\n• ") ||
		!strings.Contains(got, " · a free latte · −3 stamps (cancelled)") {
		t.Fatalf("the customer card's stamps and prizes:\n%s", got)
	}
}

// buttonWith is the label of a button of the chat's messages that holds
// part, the newest first.
func buttonWith(t *testing.T, c *bottest.Chat, part string) string {
	t.Helper()
	ms := c.U.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		for _, row := range ms[i].Inline {
			for _, b := range row {
				if strings.Contains(b.Text, part) {
					return b.Text
				}
			}
		}
	}
	t.Fatalf("no button with %q:\n%s", part, c.Transcript())
	return ""
}

// TestStampsPerPurchaseAtTheRegister: three coffees earn three stamps:
// the cashier sets the count on the confirmation (edited in place), the
// customer's message counts them; 0 gives none; a receipt under the
// minimum shows no stamp buttons.
func TestStampsPerPurchaseAtTheRegister(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStamps)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 943, "Boris")
	anna := join(t, h, 143, "Anna")

	scan(t, anna, cashier)
	cashier.Send("450").Tap("➕ Accrue +13")
	confirm := cashier.Last().ID
	cashier.Tap("☕ +1").Tap("☕ +1")
	if got := cashier.Last(); got.ID != confirm || !strings.Contains(got.Text, "☕ Stamp card: +3 stamps") {
		t.Fatalf("three stamps on the confirmation:\n%s", cashier.Transcript())
	}
	cashier.Tap("☕ −1").Tap("☕ +1").Tap("✅ Confirm")
	if got := cashier.Last().Text; !strings.Contains(got, "☕ Stamp card: +3 stamps") {
		t.Fatalf("the cashier's receipt:\n%s", got)
	}
	anna.Sync()
	if !strings.Contains(texts(anna), "+3 stamps · 🎁 Your stamps (3 stamps) pay for a free latte: ask at the register.") {
		t.Fatalf("the customer's message:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT sum(stamps) FROM purchases`); n != 3 {
		t.Fatalf("%d stamps stored, want 3", n)
	}

	scan(t, anna, cashier)
	cashier.Send("300").Tap("➕ Accrue +9").Tap("☕ −1")
	if b := cashier.Last().Buttons(); slices.Contains(b, "☕ −1") || !strings.Contains(cashier.Last().Text, "+0 stamps") {
		t.Fatalf("no stamp:\n%s", cashier.Transcript())
	}
	cashier.Tap("✅ Confirm")
	anna.Sync()
	if last := anna.Last().Text; strings.Contains(last, "stamp") {
		t.Fatalf("a purchase of no stamp speaks of stamps: %q", last)
	}

	scan(t, anna, cashier)
	cashier.Send("50").Tap("➕ Accrue +1")
	if b := cashier.Last().Buttons(); slices.Contains(b, "☕ +1") || strings.Contains(cashier.Last().Text, "Stamp card") {
		t.Fatalf("stamps under the minimum:\n%s", cashier.Transcript())
	}
	cashier.Tap("✅ Confirm")
	anna.Send("/card")
	if photo, _ := anna.LastPhoto(); !strings.Contains(photo.Caption, "Your stamps (3 stamps) pay for a free latte") {
		t.Fatalf("the card after 3 + 0 + 0 stamps: %q", photo.Caption)
	}
	// The purchases export says what each earned ("" under the minimum).
	owner.Send("/export").Tap("🧾 Purchases")
	rows := lastCSV(t, owner, "purchases-2026-11-22.csv")
	var stamps []string
	for _, row := range rows[1:] {
		stamps = append(stamps, row[16])
	}
	if rows[0][16] != "stamps" || !slices.Equal(stamps, []string{"3", "0", ""}) {
		t.Errorf("the export's stamps column: %q of %q", stamps, rows[0])
	}
}

// TestCancelOfAPurchaseWhoseStampPaidAPrize: three purchases give the
// stamps of a latte; a manager then cancels the third purchase. Its
// stamp paid for the latte: the cancel is refused with the way out
// (cancel the prize first), and the next purchase moves the count on
// (1 of 3), not "+1 stamp" with the count left at 0.
func TestCancelOfAPurchaseWhoseStampPaidAPrize(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStamps)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 953, "Boris")
	manager := hire(t, h, owner, "manager", 954, "Mila")
	anna := join(t, h, 153, "Anna")
	for _, rubles := range []int{200, 300, 400} {
		buyFor(t, anna, cashier, rubles)
	}
	scan(t, anna, cashier)
	cashier.Tap("🎁 a free latte · 3 stamps").Tap("✅ Give the prize")
	manager.Send("/staff").Tap("🧾 Recent purchases")
	manager.Tap(buttonWith(t, manager, "400 RUB")).Tap("Yes, cancel it")
	if !strings.Contains(manager.Transcript(), "~ The stamps of this purchase already paid for a prize: cancel the prize first") {
		t.Fatalf("the cancel of a purchase whose stamp paid the latte:\n%s", manager.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM purchases WHERE cancelled_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d purchases cancelled", n)
	}
	buyFor(t, anna, cashier, 500)
	if last := anna.Sync().Last().Text; !strings.Contains(last, "1 of 3") {
		t.Fatalf("the next purchase's stamp line:\n%s", last)
	}
}

// TestStampCardStartedAgain: the owner starts the stamp card again (a
// later since): the latte given on the old card's stamps costs the new
// card nothing, its first purchase is 1 of 3.
func TestStampCardStartedAgain(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStamps)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 943, "Boris")
	anna := join(t, h, 143, "Anna")
	for _, rubles := range []int{200, 300, 400} {
		buyFor(t, anna, cashier, rubles)
	}
	scan(t, anna, cashier)
	cashier.Tap("🎁 a free latte · 3 stamps").Tap("✅ Give the prize")
	h.Clock.Advance(time.Hour)
	h.Biz.Gamification.Stamps.Since = h.Clock.Now() // the config's since, changed at a restart
	buyFor(t, anna, cashier, 500)
	if last := anna.Sync().Last().Text; !strings.Contains(last, "1 of 3") {
		t.Fatalf("the new card's first purchase:\n%s", last)
	}
}

// TestReturnOfAPurchaseWhoseStampPaidAPrize: the twin of the cancel
// above. Three purchases give the stamps of a latte; the customer then
// brings back everything of the third: the return is refused as the
// cancel is (its stamp paid the latte), and the next purchase is 1 of 3,
// not "+1 stamp · 0 of 3". Part of it, leaving the stamp, goes through.
func TestReturnOfAPurchaseWhoseStampPaidAPrize(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStamps)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 963, "Boris")
	manager := hire(t, h, owner, "manager", 964, "Mila")
	anna := join(t, h, 163, "Anna")
	for _, rubles := range []int{200, 300, 400} {
		buyFor(t, anna, cashier, rubles)
	}
	scan(t, anna, cashier)
	cashier.Tap("🎁 a free latte · 3 stamps").Tap("✅ Give the prize")
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap(buttonWith(t, manager, "400 RUB")).Tap("All: 400 RUB").Tap("✅ Confirm the return")
	if !strings.Contains(manager.Transcript(), "cancel the prize first") {
		t.Fatalf("the return of a purchase whose stamp paid the latte:\n%s", manager.Transcript())
	}
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap(buttonWith(t, manager, "400 RUB")).Send("100").Tap("✅ Confirm the return")
	if !strings.Contains(manager.Transcript(), "↩ Return recorded") {
		t.Fatalf("a return leaving the stamp (300 RUB of 400 stays):\n%s", manager.Transcript())
	}
	buyFor(t, anna, cashier, 500)
	if last := anna.Sync().Last().Text; !strings.Contains(last, "1 of 3") {
		t.Fatalf("the next purchase's stamp line:\n%s\n\nmanager:\n%s", last, manager.Transcript())
	}
}
