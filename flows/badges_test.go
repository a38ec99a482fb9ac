package flows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withGames turns on the built-in gamification: every built-in badge
// (the first purchase worth 20 points), the leaderboard and referrals.
func withGames(b *domain.Business) {
	b.Gamification = domain.DefaultGamification()
	for i := range b.Gamification.Badges {
		if b.Gamification.Badges[i].ID == "first_purchase" {
			b.Gamification.Badges[i].Points = 20
		}
	}
}

// buyFor has the cashier record a purchase of rubles on the customer's
// card, earning 3 %.
func buyFor(t *testing.T, customer, cashier *bottest.Chat, rubles int) {
	t.Helper()
	scan(t, customer, cashier)
	cashier.Send(fmt.Sprint(rubles)).Tap(fmt.Sprintf("➕ Accrue +%d", rubles*3/100)).Tap("✅ Confirm")
}

// texts joins every message the chat received.
func texts(c *bottest.Chat) string {
	var b strings.Builder
	for _, m := range c.U.Messages() {
		b.WriteString(m.Text + m.Caption + "\n")
	}
	return b.String()
}

// TestPurchaseBadgesFirstVisitsAndStreak: the first purchase earns its
// badge (announced after the purchase, its 20 points through the ledger,
// once); days with a purchase count as visits (two on one day are one),
// five earn "5 visits"; a purchase in four weeks in a row earns the
// streak; /badges lists them with the progress towards the next.
func TestPurchaseBadgesFirstVisitsAndStreak(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")

	buy(t, anna, cashier)
	anna.Sync()
	ms := anna.U.Messages()
	if n := len(ms); n < 2 || !strings.Contains(ms[n-2].Text, "Points: +30") ||
		!strings.Contains(ms[n-1].Text, "🎉 New badge: First purchase!") || !strings.Contains(ms[n-1].Text, "+20 points on your card") {
		t.Fatalf("the first purchase's badge, after the purchase notice:\n%s", anna.Transcript())
	}
	if got := balance(t, h, 101); got != 150 {
		t.Fatalf("balance %d, want 100 welcome + 30 earned + 20 for the badge", got)
	}
	anna.Note("a second purchase the same day: still one visit, no second badge")
	buy(t, anna, cashier)
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'badge'`); n != 1 {
		t.Fatalf("%d badge ledger rows, want 1", n)
	}
	for day := 1; day <= 4; day++ { // Monday to Thursday of the next week
		h.Clock.Advance(24 * time.Hour)
		buy(t, anna, cashier)
	}
	anna.Sync()
	if strings.Count(texts(anna), "New badge: 5 visits") != 1 {
		t.Fatalf("5 days with a purchase did not earn the 5 visits badge once:\n%s", anna.Transcript())
	}
	anna.Send("/badges")
	board := anna.Last().Text
	for _, want := range []string{"🏅 Your badges: 2", "🎉 First purchase — 22.11.2026", "🛍 5 visits — 26.11.2026",
		"🏅 10 visits — 5 of 10 visits", "🔥 4 weeks in a row — 2 of 4 weeks in a row", "⭐ First review — rate a visit with /feedback"} {
		if !strings.Contains(board, want) {
			t.Fatalf("/badges lacks %q:\n%s", want, board)
		}
	}
	for range 2 {
		h.Clock.Advance(7 * 24 * time.Hour)
		buy(t, anna, cashier)
	}
	anna.Sync()
	if !strings.Contains(texts(anna), "🔥 New badge: 4 weeks in a row!") {
		t.Fatalf("a purchase in 4 weeks in a row did not earn the streak:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM badge_awards`); n != 3 {
		t.Fatalf("%d badges awarded, want first purchase, 5 visits and the streak", n)
	}
	bottest.Golden(t, "badges_purchases", anna.Transcript())
}

// TestLongestReceiptOfTheMonth: /badges says who leads a store this
// month; once the month is over the daily job gives the badge to the
// biggest receipt of each store, once however often it runs, and not to
// a cancelled receipt.
func TestLongestReceiptOfTheMonth(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	buyFor(t, anna, cashier, 1000)
	buyFor(t, bob, cashier, 3000)
	anna.Send("/badges")
	if want := "🧾 Longest receipt of the month — the biggest receipt at Central this month is 3,000 RUB, yours is 1,000 RUB"; !strings.Contains(anna.Last().Text, want) {
		t.Fatalf("/badges lacks %q:\n%s", want, anna.Last().Text)
	}
	bob.Send("/badges")
	if want := "you lead at Central this month with 3,000 RUB"; !strings.Contains(bob.Last().Text, want) {
		t.Fatalf("/badges lacks %q:\n%s", want, bob.Last().Text)
	}
	run := func() int {
		t.Helper()
		n, err := h.Engine.Service.AwardMonthlyBadges(t.Context(), h.DB)
		if err != nil {
			t.Fatal(err)
		}
		h.Settle()
		return n
	}
	if n := run(); n != 0 {
		t.Fatalf("the job awarded %d badges for October, when nobody bought", n)
	}
	h.Clock.Advance(8*24*time.Hour + 9*time.Hour) // 1 December, 00:00 in Moscow
	if n := run(); n != 1 {
		t.Fatalf("the job awarded %d badges for November, want Bob's", n)
	}
	if n := run(); n != 0 {
		t.Fatalf("a second run awarded %d more", n)
	}
	bob.Sync()
	if want := "🧾 New badge: Longest receipt of the month (Central, November 2026)!"; !strings.Contains(bob.Last().Text, want) {
		t.Fatalf("Bob was told %q, want %q", bob.Last().Text, want)
	}
	if anna.Sync(); strings.Contains(texts(anna), "New badge: Longest receipt") {
		t.Fatalf("Anna got the badge too:\n%s", anna.Transcript())
	}
	bob.Tap("🏅 My badges")
	if !strings.Contains(bob.Last().Text, "🧾 Longest receipt of the month (Central, November 2026) — 01.12.2026") {
		t.Fatalf("/badges of the winner:\n%s", bob.Last().Text)
	}
}

// withBirthdayProfile gives the profile one section with one question:
// the birthday.
func withBirthdayProfile(b *domain.Business) {
	b.Questionnaire = domain.Questionnaire{
		Sections: []domain.Section{{ID: "about", Title: map[string]string{"en": "About you", "ru": "О вас"}, Offer: domain.OfferNudge}},
		Questions: []domain.Question{{ID: "birthday", Type: domain.QuestionBirthday, Section: "about", Fact: "birthday",
			Text: map[string]string{"en": "When is your birthday?", "ru": "Когда ваш день рождения?"}}},
	}
}

// TestProfileReviewAndBirthdayBadges: completing the profile, the first
// rating (not a changed one) and a purchase on the birthday each earn
// their badge, in the transaction of the event, once.
func TestProfileReviewAndBirthdayBadges(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, withBirthdayProfile)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	anna.Send("/badges")
	if !strings.Contains(anna.Last().Text, "🎂 Birthday visit — add your birthday in /profile and come on the day") ||
		!strings.Contains(anna.Last().Text, "📝 Profile complete — complete your profile in /profile") {
		t.Fatalf("/badges before the profile:\n%s", anna.Last().Text)
	}
	anna.Send("/profile")
	anna.Tap(anna.Last().Buttons()[0]).Send("22.11.1990")
	anna.Sync()
	if !strings.Contains(texts(anna), "📝 New badge: Profile complete!") {
		t.Fatalf("completing the profile earned no badge:\n%s", anna.Transcript())
	}
	buy(t, anna, cashier)
	anna.Sync()
	if !strings.Contains(texts(anna), "🎂 New badge: Birthday visit!") {
		t.Fatalf("a purchase on the birthday earned no badge:\n%s", anna.Transcript())
	}
	anna.Send("/feedback").Tap("5⭐").Tap("Skip")
	anna.Send("/feedback").Tap("4⭐").Tap("Skip")
	anna.Sync()
	if n := strings.Count(texts(anna), "⭐ New badge: First review!"); n != 1 {
		t.Fatalf("the first review badge came %d times:\n%s", n, anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM badge_awards WHERE badge IN ('profile_complete', 'birthday_visit', 'first_review', 'first_purchase')`); n != 4 {
		t.Fatalf("%d badges, want profile, birthday (2026), first review and first purchase", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM badge_awards WHERE badge = 'birthday_visit' AND occurrence = '2026'`); n != 1 {
		t.Fatal("the birthday badge is not for this year")
	}
}

// TestBadgeGoesWithItsPurchase: the cashier cancels the first purchase:
// its badge goes with it, and its points; the customer is told. The next
// purchase earns the badge, and its points, again.
func TestBadgeGoesWithItsPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")

	buy(t, anna, cashier)
	if got := balance(t, h, 101); got != 150 {
		t.Fatalf("balance %d, want 100 welcome + 30 earned + 20 for the badge", got)
	}
	cashier.Tap("Cancel this purchase").Tap("Yes, cancel it")
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "Your purchase was cancelled or returned, so the badge 🎉 First purchase it earned goes with it") ||
		!strings.Contains(got, "Its points are taken back: −20 points.") {
		t.Fatalf("the badge's going:\n%s", anna.Transcript())
	}
	if got := balance(t, h, 101); got != 100 {
		t.Fatalf("balance %d after the cancel, want the 100 welcome points", got)
	}
	if got := cashier.Last().Text; !strings.Contains(got, "balance: 100") {
		t.Fatalf("the cashier's cancel says a balance before the badge went:\n%s", got)
	}
	anna.Send("/badges")
	if strings.Contains(anna.Last().Text, "First purchase — 22.11.2026") || !strings.Contains(anna.Last().Text, "No badges yet") {
		t.Fatalf("the badge stays on the board:\n%s", anna.Last().Text)
	}
	buy(t, anna, cashier)
	anna.Sync()
	if strings.Count(texts(anna), "🎉 New badge: First purchase!") != 2 {
		t.Fatalf("the next purchase does not earn the badge again:\n%s", anna.Transcript())
	}
	if got := balance(t, h, 101); got != 150 {
		t.Fatalf("balance %d after the badge again, want 150", got)
	}
}

// TestBadgePaysOnceWhenItsPointsWereSpent: a badge taken back with its
// purchase (returned in full) after its points were spent (the card no
// longer holds them) pays nothing when earned again: ringing up and
// returning a purchase cannot pay a badge twice.
func TestBadgePaysOnceWhenItsPointsWereSpent(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")

	buy(t, anna, cashier)
	if got := balance(t, h, 101); got != 150 {
		t.Fatalf("balance %d, want 100 welcome + 30 earned + 20 for the badge", got)
	}
	h.Clock.Advance(time.Hour)
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➖ Pay with points: 150").Tap("✅ Confirm")
	h.Clock.Advance(3 * 24 * time.Hour)
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap("22.11.26 15:00 · 1,000 RUB").Tap("All: 1,000 RUB").Tap("✅ Confirm the return")
	if got := balance(t, h, 101); got != 0 {
		t.Fatalf("balance %d after the first purchase's return, want 0:\n%s", got, manager.Transcript())
	}
	buy(t, anna, cashier)
	anna.Sync()
	if got := balance(t, h, 101); got != 30 {
		t.Fatalf("balance %d after the badge earned again, want the purchase's 30 alone:\n%s", got, anna.Transcript())
	}
	if strings.Count(texts(anna), "🎉 New badge: First purchase!") != 2 {
		t.Fatalf("the badge is not earned again:\n%s", anna.Transcript())
	}
}

// TestBadgeTakenBackTwiceTakesOnlyWhatItPaid: a badge re-earned after its
// points were spent pays 0 (kept points); when that purchase is cancelled
// in turn, the take-back takes nothing from the customer's other points.
func TestBadgeTakenBackTwiceTakesOnlyWhatItPaid(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, func(b *domain.Business) {
		for i := range b.Gamification.Badges {
			if b.Gamification.Badges[i].ID == "first_review" {
				b.Gamification.Badges[i].Points = 50
			}
		}
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")

	buy(t, anna, cashier)
	h.Clock.Advance(time.Hour)
	scan(t, anna, cashier)
	cashier.Send("1000").Tap("➖ Pay with points: 150").Tap("✅ Confirm")
	h.Clock.Advance(3 * 24 * time.Hour)
	scan(t, anna, manager)
	manager.Tap("↩ Return of items").Tap("22.11.26 15:00 · 1,000 RUB").Tap("All: 1,000 RUB").Tap("✅ Confirm the return")
	if got := balance(t, h, 101); got != 0 {
		t.Fatalf("balance %d after the first purchase's return, want 0", got)
	}
	buy(t, anna, cashier) // re-earns first_purchase, paying 0 (its 20 were spent)
	anna.Sync()
	if got := balance(t, h, 101); got != 30 {
		t.Fatalf("balance %d, want 30", got)
	}
	anna.Send("/feedback").Tap("5⭐").Tap("Skip") // first_review: +50 promo
	anna.Sync()
	if got := balance(t, h, 101); got != 80 {
		t.Fatalf("balance %d after the first review badge, want 80:\n%s", got, anna.Transcript())
	}
	cashier.Tap("Cancel this purchase").Tap("Yes, cancel it")
	anna.Sync()
	// The purchase's 30 go back; the re-earned badge paid nothing, so it
	// should take nothing: the review badge's 50 stay.
	if got := balance(t, h, 101); got != 50 {
		t.Fatalf("balance %d after cancelling the purchase that re-earned the badge (paid 0), want 50:\n%s", got, anna.Transcript())
	}
	// Earned a third time, the first-purchase badge still pays nothing:
	// its 20 were spent at the first take-back, and stay remembered
	// through the second.
	buy(t, anna, cashier)
	if got := balance(t, h, 101); got != 80 {
		t.Fatalf("balance %d after the badge was earned a third time, want 80 (50 + 30 earned, no second 20):\n%s", got, anna.Transcript())
	}
}
