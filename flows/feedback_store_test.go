package flows_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestMemberWithoutPurchasesRatesAStore: a member who has bought nothing
// can still rate a store in general through /feedback: the store is
// chosen (the test business has two), the stars and a comment are saved
// with no purchase and no cashier, and a good rating alerts nobody.
func TestMemberWithoutPurchasesRatesAStore(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/help")
	ownerSeen := len(owner.U.Messages())
	anna := join(t, h, 121, "Anna")
	anna.Send("/feedback")
	if got := anna.Last().Text; !strings.Contains(got, "rate the store in general") || !strings.Contains(got, "Which store") {
		t.Fatalf("/feedback with no visit: %q", got)
	}
	anna.Tap("River")
	if got := anna.Last().Text; !strings.Contains(got, "How do you like River in general?") {
		t.Fatalf("after choosing the store: %q", got)
	}
	anna.Tap("5⭐").Send("Cozy place, great music")
	if !strings.Contains(anna.Last().Text, "Thank you for your feedback") {
		t.Fatalf("comment not thanked: %q", anna.Last().Text)
	}
	var store, comment string
	var stars int
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT s.name, f.stars, f.comment FROM feedback f
		JOIN stores s ON s.id = f.store_id WHERE f.purchase_id IS NULL AND f.staff_id IS NULL`).Scan(&store, &stars, &comment); err != nil {
		t.Fatal(err)
	}
	if store != "River" || stars != 5 || comment != "Cozy place, great music" {
		t.Fatalf("stored %s, %d stars, %q", store, stars, comment)
	}
	h.Settle()
	if n := len(owner.Sync().U.Messages()); n != ownerSeen {
		t.Fatalf("a 5-star rating alerted the owner: %q", owner.Last().Text)
	}
	bottest.Golden(t, "feedback_store_no_purchase", anna.Transcript())
}

// TestOneStoreGoesStraightToTheStars: a business with one store asks
// nothing about which, from /feedback with no visit or from the button
// under a visit's stars.
func TestOneStoreGoesStraightToTheStars(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores = b.Stores[:1] })
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff").Tap("➕ Invite a cashier") // one store: no question which
	m := linkRe.FindStringSubmatch(owner.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link in %q", owner.Last().Caption)
	}
	cashier := h.Chat(913, "Boris", "en").Send("/start " + m[1])
	anna := join(t, h, 130, "Anna")
	anna.Send("/feedback")
	if got := anna.Last().Text; !strings.Contains(got, "How do you like Central in general?") {
		t.Fatalf("/feedback with no visit and one store: %q", got)
	}
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("🏪 Rate the store in general")
	if got := anna.Last().Text; !strings.Contains(got, "How do you like Central in general?") {
		t.Fatalf("the button under the visit with one store: %q", got)
	}
	anna.Tap("4⭐").Tap("Skip")
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE purchase_id IS NULL AND stars = 4`); n != 1 {
		t.Fatalf("general rating not saved:\n%s", anna.Transcript())
	}
}

// TestStaleStoreRatingButtonsAreRefused: general-rating buttons are
// stateless, so forged ones (a store not in the config, stars out of
// range) and taps by someone outside the program are answered as out of
// date and save nothing.
func TestStaleStoreRatingButtonsAreRefused(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	anna := join(t, h, 122, "Anna")
	msg := anna.Last().ID
	acks := len(anna.U.CallbackAnswers())
	anna.SignedCallback(msg, "x:fbgen:nowhere.3", "x:fbgen:nowhere.3 (no such store)").
		SignedCallback(msg, "x:fbgen:central.9", "x:fbgen:central.9 (nine stars)").
		SignedCallback(msg, "x:fbstore:nowhere", "x:fbstore:nowhere (no such store)")
	stranger := h.Chat(123, "Stan", "en")
	stranger.Send("/start")
	strangerAcks := len(stranger.U.CallbackAnswers())
	stranger.SignedCallback(stranger.Last().ID, "x:fbgen:central.1", "x:fbgen:central.1 (not a member)")
	answers := append(anna.U.CallbackAnswers()[acks:], stranger.U.CallbackAnswers()[strangerAcks:]...)
	if len(answers) != 4 {
		t.Fatalf("%d taps answered, want 4", len(answers))
	}
	for _, a := range answers {
		if a.Text != "This button is out of date." {
			t.Fatalf("a forged tap was answered %q\n%s", a.Text, anna.Transcript())
		}
	}
	if n := countRows(t, h, `SELECT count(*) FROM feedback`); n != 0 {
		t.Fatalf("%d ratings saved by forged taps", n)
	}
}

// TestLowStoreRatingAlertsOwnerWhoReplies: a 2-star rating of the store in
// general reaches the owner at once saying so, with the customer's
// history but no cashier, amount or date of a purchase; the comment
// follows; Reply is relayed both ways and Give N points works as for a
// visit.
func TestLowStoreRatingAlertsOwnerWhoReplies(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 911, "Boris")
	anna := join(t, h, 124, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("🏪 Rate the store in general").Tap("Central").Tap("2⭐")
	owner.Sync()
	got := owner.Last().Text
	for _, want := range []string{"Low rating ★★☆☆☆ from Anna about the store in general", "Store: Central",
		"Visits: 1", "Lifetime spend: 1,000 RUB"} {
		if !strings.Contains(got, want) {
			t.Fatalf("alert lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"Boris", "Cashier", "Purchase", "22.11.2026"} {
		if strings.Contains(got, not) {
			t.Fatalf("the alert of a general rating says %q:\n%s", not, got)
		}
	}
	anna.Send("Too noisy in the evenings")
	owner.Sync()
	if got := owner.Last().Text; !strings.Contains(got, "added a comment to the ★★☆☆☆ rating of Central in general:\nToo noisy in the evenings") {
		t.Fatalf("comment alert: %q", got)
	}
	owner.Tap("↩️ Reply").Send("Thank you, Anna: we are putting up curtains.")
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "we are putting up curtains.") || !strings.Contains(got, "— Test Coffee") {
		t.Fatalf("relay to the customer: %q", got)
	}
	anna.Tap("↩️ Answer").Send("Great, I'll come back")
	owner.Sync()
	if !strings.Contains(owner.Last().Text, "Anna answers:\nGreat, I'll come back") {
		t.Fatalf("answer not relayed back: %q", owner.Last().Text)
	}
	before := balance(t, h, 124)
	owner.Tap("🎁 Give 100 points")
	if got := balance(t, h, 124); got != before+100 {
		t.Fatalf("balance %d after goodwill, want %d", got, before+100)
	}
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "100 points with apologies") || strings.Contains(got, "visit") {
		t.Fatalf("goodwill message for a general rating: %q", got)
	}
	owner.Tap("✅ Resolved")
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE purchase_id IS NULL AND resolution = 'resolved'`); n != 1 {
		t.Fatal("the general rating is not recorded as resolved")
	}
	bottest.Golden(t, "feedback_store_alert_owner", owner.Transcript())
	bottest.Golden(t, "feedback_store_alert_customer", anna.Transcript())
}

// TestStoreRatingChangesWithinADay: a second general rating of the same
// store within a day changes the first (a drop to a low rating alerts the
// owner); one given after the day is a new rating, and the first stays.
func TestStoreRatingChangesWithinADay(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/help")
	anna := join(t, h, 125, "Anna")
	anna.Send("/feedback").Tap("Central").Tap("4⭐").Tap("Skip")
	h.Clock.Advance(23 * time.Hour)
	anna.Note("23 hours later").Send("/feedback").Tap("Central")
	if got := anna.Last().Text; !strings.Contains(got, "Your rating: ★★★★☆") {
		t.Fatalf("the rating given within the day is not shown: %q", got)
	}
	anna.Tap("2⭐").Tap("Skip")
	if n := countRows(t, h, `SELECT count(*) FROM feedback`); n != 1 {
		t.Fatalf("%d ratings after a change within the day, want 1", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE stars = 2`); n != 1 {
		t.Fatal("the change within the day was not kept")
	}
	owner.Sync()
	if !strings.Contains(owner.Last().Text, "Low rating ★★☆☆☆ from Anna about the store in general") {
		t.Fatalf("lowering to 2 stars did not alert the owner: %q", owner.Last().Text)
	}
	h.Clock.Advance(2 * time.Hour)
	anna.Note("25 hours after the first rating").Send("/feedback").Tap("Central")
	if got := anna.Last().Text; strings.Contains(got, "Your rating") {
		t.Fatalf("a day later the old rating is offered for a change: %q", got)
	}
	anna.Tap("5⭐").Tap("Skip")
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE purchase_id IS NULL`); n != 2 {
		t.Fatalf("%d general ratings, want the first and a new one", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE stars = 2`); n != 1 {
		t.Fatal("the rating of the day before was changed")
	}
	bottest.Golden(t, "feedback_store_change", anna.Transcript())
}

// TestDigestCountsStoreRatings: the evening digest counts general ratings
// in their store's total, on a line of their own after the cashiers.
func TestDigestCountsStoreRatings(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 912, "Boris")
	anna := join(t, h, 126, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("4⭐").Tap("Skip")
	bella := join(t, h, 127, "Bella")
	bella.Send("/feedback").Tap("Central").Tap("2⭐").Tap("Skip")
	carl := join(t, h, 128, "Carl")
	carl.Send("/feedback").Tap("River").Tap("5⭐").Tap("Skip")
	h.Settle()
	h.Clock.Advance(time.Hour)
	n, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB)
	if err != nil || n != 3 {
		t.Fatalf("digest counted %d ratings, %v; want 3", n, err)
	}
	h.Settle()
	want := "📊 Ratings in the last 24 hours:\n" +
		"Central: 2 ratings, average 3.0⭐\n   · Boris: 1, average 4.0⭐\n   · the store in general: 1, average 2.0⭐\n" +
		"River: 1 rating, average 5.0⭐\n   · the store in general: 1, average 5.0⭐"
	if got := owner.Sync().Last().Text; got != want {
		t.Fatalf("digest:\n%s\nwant:\n%s", got, want)
	}
}

// TestStoreRatingIsInTheDataExport: "Download my data" includes general
// ratings, marked as of the store rather than a visit.
func TestStoreRatingIsInTheDataExport(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	anna := join(t, h, 129, "Anna")
	anna.Send("/feedback").Tap("River").Tap("3⭐").Send("Fine, a bit cold")
	anna.Send("/privacy").Tap("📦 Download my data")
	doc := anna.Last().Document
	if doc == nil {
		t.Fatalf("no export:\n%s", anna.Transcript())
	}
	var export struct {
		Feedback []struct {
			About   string `json:"about"`
			Store   string `json:"store"`
			Stars   int    `json:"stars"`
			Comment string `json:"comment"`
		} `json:"feedback"`
	}
	if err := json.Unmarshal(doc.Data, &export); err != nil {
		t.Fatal(err)
	}
	if len(export.Feedback) != 1 || export.Feedback[0].About != "store" || export.Feedback[0].Store != "River" ||
		export.Feedback[0].Stars != 3 || export.Feedback[0].Comment != "Fine, a bit cold" {
		t.Fatalf("export feedback %+v", export.Feedback)
	}
}
