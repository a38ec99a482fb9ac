package flows_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// buy has the cashier record a 1,000 ₽ purchase on the customer's card.
func buy(t *testing.T, customer, cashier *bottest.Chat) {
	t.Helper()
	scan(t, customer, cashier)
	cashier.Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
}

// runFeedbackJob runs the every-minute feedback job once, as the
// scheduler would, and waits for what it queued that is due.
func runFeedbackJob(t *testing.T, h *bottest.Harness) int {
	t.Helper()
	n, err := h.Engine.QueueFeedbackRequests(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	h.Settle()
	return n
}

// TestFeedbackRequestAfterPurchase: two hours after a purchase (by the
// business clock, not before) the customer is asked how the visit was;
// stars and a comment are thanked for, a good rating alerts nobody, and a
// second purchase within the period brings no second request.
func TestFeedbackRequestAfterPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	anna.Note("a purchase at 15:00 Moscow time")
	buy(t, anna, cashier)
	ownerSeen := len(owner.U.Messages())

	h.Clock.Advance(2*time.Hour - time.Minute)
	if n := runFeedbackJob(t, h); n != 0 {
		t.Fatalf("the job queued %d requests before the delay", n)
	}
	anna.Note("1 h 59 min later").Sync()
	if strings.Contains(anna.Last().Text, "How was your visit") {
		t.Fatal("asked before the delay")
	}
	h.Clock.Advance(time.Minute)
	runFeedbackJob(t, h)
	anna.Note("2 h later").Sync()
	if !strings.Contains(anna.Last().Text, "How was your visit to Central?") {
		t.Fatalf("no request after 2 h:\n%s", anna.Transcript())
	}
	anna.Tap("4⭐").Send("Great coffee, slow queue")
	if !strings.Contains(anna.Last().Text, "Thank you for your feedback") {
		t.Fatalf("comment not thanked: %q", anna.Last().Text)
	}
	var stars int
	var comment string
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT stars, comment FROM feedback`).Scan(&stars, &comment); err != nil {
		t.Fatal(err)
	}
	if stars != 4 || comment != "Great coffee, slow queue" {
		t.Fatalf("stored %d stars, %q", stars, comment)
	}
	if n := len(owner.U.Messages()); n != ownerSeen {
		t.Fatalf("a 4-star rating alerted the owner: %q", owner.Last().Text)
	}

	anna.Note("another purchase the same day: no second request within 14 days")
	buy(t, anna, cashier)
	h.Clock.Advance(3 * time.Hour)
	if n := runFeedbackJob(t, h); n != 0 {
		t.Fatalf("a second request within the period")
	}
	anna.Sync()
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE chat_id = 101 AND sent_at IS NULL AND dropped_at IS NULL`); n != 0 {
		t.Fatalf("%d messages still queued for Anna, want no second request", n)
	}
	bottest.Golden(t, "feedback_request", anna.Transcript())
}

// TestFeedbackRequestWaitsForQuietHoursToEnd: a purchase at 21:00 Moscow
// time would be asked about at 23:00, inside the quiet hours: it waits
// for 09:00 the next morning.
func TestFeedbackRequestWaitsForQuietHoursToEnd(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	h.Clock.Advance(6 * time.Hour) // 18:00 UTC, 21:00 in Moscow
	buy(t, anna, cashier)
	h.Clock.Advance(2 * time.Hour) // 23:00 in Moscow: the job finds the visit
	if n := runFeedbackJob(t, h); n != 1 {
		t.Fatalf("the job queued %d requests, want 1", n)
	}
	var due time.Time
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT due_at FROM feedback_requests`).Scan(&due); err != nil {
		t.Fatal(err)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	if want := time.Date(2026, 11, 23, 9, 0, 0, 0, moscow); !due.Equal(want) {
		t.Fatalf("request due %s, want %s", due.In(moscow), want)
	}
}

// TestFeedbackChangeWithinADayOnly: /feedback rates the last visit; the
// rating can be changed within a day, and is refused after.
func TestFeedbackChangeWithinADayOnly(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	anna.Send("/feedback")
	if !strings.Contains(anna.Last().Text, "no visit to rate") {
		t.Fatalf("/feedback without a visit: %q", anna.Last().Text)
	}
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("5⭐").Tap("Skip")
	h.Clock.Advance(23 * time.Hour)
	anna.Note("23 hours later").Send("/feedback").Tap("4⭐").Tap("Skip")
	h.Clock.Advance(2 * time.Hour)
	anna.Note("25 hours after the first rating").Send("/feedback")
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE stars = 4`); n != 1 {
		t.Fatalf("the change within a day was not kept")
	}
	if !strings.Contains(anna.Last().Text, "within a day only") {
		t.Fatalf("a day later /feedback still offers a change: %q", anna.Last().Text)
	}
	bottest.Golden(t, "feedback_change", anna.Transcript())
}

// TestLowRatingAlertsOwnersWhoAnswer: a 2-star rating reaches every owner
// and the store's manager at once with the visit's details and the
// customer's history; one owner replies (relayed in the bot's voice,
// signed with the business name), the customer answers back, the owner
// gives goodwill points (a ledger row) and resolves it; the second owner's
// tap then says who handled it.
func TestLowRatingAlertsOwnersWhoAnswer(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) { b.Owners = []int64{ownerID, 902} })
	owner := h.Chat(ownerID, "Olga", "en")
	second := h.Chat(902, "Pavel", "en")
	second.Send("/help")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("2⭐")
	for _, c := range []*bottest.Chat{owner, second} {
		c.Sync()
		got := c.Last().Text
		for _, want := range []string{"Low rating ★★☆☆☆ from Anna", "Central", "Boris", "1,000 RUB", "22.11.2026 15:00", "Visits: 1"} {
			if !strings.Contains(got, want) {
				t.Fatalf("alert to %d lacks %q:\n%s", c.U.ID, want, got)
			}
		}
	}
	anna.Send("The cup was dirty")
	second.Sync()
	owner.Sync()
	if !strings.Contains(owner.Last().Text, "The cup was dirty") {
		t.Fatalf("comment not passed on: %q", owner.Last().Text)
	}
	owner.Tap("↩️ Reply").Send("So sorry, Anna! Next coffee is on us.")
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "Next coffee is on us.") || !strings.Contains(got, "— Test Coffee") || strings.Contains(got, "Olga") {
		t.Fatalf("relay to the customer: %q", got)
	}
	anna.Tap("↩️ Answer").Send("Thank you, it happens")
	owner.Sync()
	if !strings.Contains(owner.Last().Text, "Anna answers:\nThank you, it happens") {
		t.Fatalf("answer not relayed back: %q", owner.Last().Text)
	}
	owner.Tap("↩️ Reply").Send("See you soon!")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "See you soon!") {
		t.Fatalf("the thread did not go on: %q", anna.Last().Text)
	}
	before := balance(t, h, 101)
	owner.Tap("🎁 Give 100 points").Tap("🎁 Give 100 points")
	if got := balance(t, h, 101); got != before+100 {
		t.Fatalf("balance %d after goodwill twice, want %d", got, before+100)
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'goodwill' AND amount = 100`); n != 1 {
		t.Fatalf("%d goodwill ledger rows, want 1", n)
	}
	anna.Sync()
	owner.Tap("✅ Resolved")
	second.Tap("✅ Resolved")
	if !strings.Contains(second.Last().Text, "Olga has handled this rating already") {
		t.Fatalf("the second owner was not told who handled it: %q", second.Last().Text)
	}
	if n := countRows(t, h, `SELECT count(*) FROM feedback f JOIN staff s ON s.id = f.handled_by
		WHERE s.telegram_id = $1 AND f.resolution = 'resolved'`, ownerID); n != 1 {
		t.Fatal("the rating is not recorded as resolved by Olga")
	}
	bottest.Golden(t, "feedback_alert_owner", owner.Transcript())
	bottest.Golden(t, "feedback_alert_second_owner", second.Transcript())
	bottest.Golden(t, "feedback_alert_customer", anna.Transcript())
}

// TestFeedbackDigestSummarizesTheDay: good ratings alert nobody; the
// evening digest gives the owner each store's count and average, and a
// line per cashier; a day with no ratings sends nothing.
func TestFeedbackDigestSummarizesTheDay(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 903, "Boris")
	for i, stars := range []string{"4⭐", "5⭐"} {
		c := join(t, h, int64(104+i), []string{"Anna", "Bella"}[i])
		buy(t, c, cashier)
		c.Send("/feedback").Tap(stars).Tap("Skip")
	}
	h.Settle()
	seen := len(owner.Sync().U.Messages())
	h.Clock.Advance(time.Hour) // the evening job runs after the day's ratings
	n, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB)
	if err != nil || n != 2 {
		t.Fatalf("digest counted %d ratings, %v; want 2", n, err)
	}
	h.Settle()
	msgs := owner.Sync().U.Messages()
	if len(msgs) != seen+1 {
		t.Fatalf("owner got %d messages, want the digest alone:\n%s", len(msgs)-seen, owner.Transcript())
	}
	want := "📊 Ratings in the last 24 hours:\nCentral: 2 ratings, average 4.5⭐\n   · Boris: 2, average 4.5⭐"
	if got := msgs[len(msgs)-1].Text; got != want {
		t.Fatalf("digest:\n%s\nwant:\n%s", got, want)
	}
	h.Clock.Advance(25 * time.Hour)
	if n, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB); err != nil || n != 0 {
		t.Fatalf("a day without ratings: %d, %v", n, err)
	}
	h.Settle()
	if got := len(owner.Sync().U.Messages()); got != seen+1 {
		t.Fatalf("an empty day sent the owner something")
	}
}

// TestFeedbackIsInTheDataExport: a customer's ratings and comments are
// their data; "Download my data" includes them.
func TestFeedbackIsInTheDataExport(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 905, "Boris")
	anna := join(t, h, 107, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("4⭐").Send("Lovely croissants")
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
	if len(export.Feedback) != 1 || export.Feedback[0].About != "visit" || export.Feedback[0].Stars != 4 || export.Feedback[0].Comment != "Lovely croissants" ||
		export.Feedback[0].Store != "Central" {
		t.Fatalf("export feedback %+v", export.Feedback)
	}
}

// TestFeedbackJobAsksOnceAndSkipsRatedOrCancelled: the job asks about a
// visit once however often it runs, and not about a visit already rated
// through /feedback or a purchase that was cancelled.
func TestFeedbackJobAsksOnceAndSkipsRatedOrCancelled(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 906, "Boris")
	rated := join(t, h, 108, "Anna")
	buy(t, rated, cashier)
	rated.Send("/feedback").Tap("5⭐").Tap("Skip")
	cancelled := join(t, h, 109, "Bella")
	buy(t, cancelled, cashier)
	id := lastPurchaseID(t, h)
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		_, err := h.Engine.Service.CancelPurchase(t.Context(), tx, id, 0, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	asked := join(t, h, 110, "Carl")
	buy(t, asked, cashier)
	h.Clock.Advance(2 * time.Hour)
	if n := runFeedbackJob(t, h); n != 1 {
		t.Fatalf("the job queued %d requests, want 1 (Carl's)", n)
	}
	if n := runFeedbackJob(t, h); n != 0 {
		t.Fatalf("a second run queued %d more", n)
	}
	if !strings.Contains(asked.Sync().Last().Text, "How was your visit") {
		t.Fatalf("Carl was not asked:\n%s", asked.Transcript())
	}
	for _, c := range []*bottest.Chat{rated, cancelled} {
		if strings.Contains(c.Sync().Last().Text, "How was your visit") {
			t.Fatalf("chat %d was asked:\n%s", c.U.ID, c.Transcript())
		}
	}
}

// TestFeedbackJobFindsAVisitThatCommitsLate: the job walks on from where
// it left off, less a margin for purchases still committing (a purchase's
// time is read when its transaction starts). With the shop asking at
// once, a purchase that commits 5 s after its time, while a run walks
// past it, is asked about by the next run; one that commits 30 s late,
// behind the margin, by the whole walk of the lookback within the hour.
func TestFeedbackJobFindsAVisitThatCommitsLate(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, func(b *domain.Business) {
		b.Feedback.Delay, b.Feedback.QuietStart, b.Feedback.QuietEnd = 0, 0, 0
	})
	ctx := t.Context()
	var shopID int64
	if err := h.DB.Pool().QueryRow(ctx, `SELECT min(id) FROM stores`).Scan(&shopID); err != nil {
		t.Fatal(err)
	}
	// late has the customer's purchase read its time now and commit after
	// lag, while the job runs at that moment.
	late := func(c *bottest.Chat, lag time.Duration) {
		t.Helper()
		var cardID int64
		if err := h.DB.Pool().QueryRow(ctx, `SELECT k.id FROM cards k JOIN customers c ON c.id = k.customer_id
			WHERE c.telegram_id = $1`, c.U.ID).Scan(&cardID); err != nil {
			t.Fatal(err)
		}
		read, commit, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- h.DB.Update(ctx, func(tx domain.Tx) error {
				_, err := h.Engine.Service.RecordPurchase(ctx, tx, domain.PurchaseRequest{
					CardID: cardID, ShopID: shopID, Source: "pos", ReceiptID: "late-" + itoa(c.U.ID),
					IdempotencyKey: "late-" + itoa(c.U.ID), Amount: 100_000, Currency: "RUB",
				})
				close(read)
				<-commit
				return err
			})
		}()
		<-read
		h.Clock.Advance(lag)
		if n := runFeedbackJob(t, h); n != 0 {
			t.Fatalf("the job asked about %d visits while the purchase was committing", n)
		}
		close(commit)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	asked := func(c *bottest.Chat) bool {
		return strings.Contains(c.Sync().Last().Text, "How was your visit")
	}

	anna := join(t, h, 111, "Anna")
	runFeedbackJob(t, h) // the process's first run walks the whole lookback
	h.Clock.Advance(time.Minute)
	late(anna, 5*time.Second)
	h.Clock.Advance(time.Minute)
	if n := runFeedbackJob(t, h); n != 1 || !asked(anna) {
		t.Fatalf("the next run queued %d requests; Anna asked: %v", n, asked(anna))
	}

	bella := join(t, h, 112, "Bella")
	late(bella, 30*time.Second)
	h.Clock.Advance(time.Minute)
	if n := runFeedbackJob(t, h); n != 0 {
		t.Fatalf("the next run queued %d requests; Bella's visit is behind its margin", n)
	}
	h.Clock.Advance(time.Hour)
	if n := runFeedbackJob(t, h); n != 1 || !asked(bella) {
		t.Fatalf("the whole walk an hour on queued %d requests; Bella asked: %v", n, asked(bella))
	}
}

// TestAlertAfterTheCustomerErasedTheirData: the customer who gave a low
// rating deletes their data before the owner acts on the alert. Reply and
// Give points then say that no one is left to reach, instead of asking
// for a text nobody will read ("Write your answer to :") or crediting a
// closed card; Resolved still works.
func TestAlertAfterTheCustomerErasedTheirData(t *testing.T) {
	t.Parallel()
	h, owner, anna := lowRating(t)
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")

	const gone = "This customer has deleted their data: there is no one to answer or to give points to."
	owner.Sync().Tap("↩️ Reply")
	if got := owner.Last().Text; !strings.Contains(got, gone) {
		t.Fatalf("Reply on an erased customer's rating: %q", got)
	}
	owner.Tap("🎁 Give 100 points")
	if got := owner.Last().Text; !strings.Contains(got, gone) {
		t.Fatalf("Give points on an erased customer's rating: %q", got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'goodwill'`); n != 0 {
		t.Fatalf("%d goodwill ledger rows for an erased customer", n)
	}
	owner.Tap("✅ Resolved")
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE resolution = 'resolved'`); n != 1 {
		t.Fatalf("the rating is not resolved:\n%s", owner.Transcript())
	}
	bottest.Golden(t, "feedback_alert_erased", owner.Transcript())
}

// A customer who blocked the bot cannot be answered: Reply says so at the
// tap, before the owner writes anything, and leaves the rating as it was;
// points still go on the card.
func TestReplyToACustomerWhoBlockedTheBot(t *testing.T) {
	t.Parallel()
	h, owner, anna := lowRating(t)
	anna.U.Block()
	owner.Sync().Tap("🎁 Give 100 points") // its note to Anna answers 403
	h.Settle()
	if n := countRows(t, h, `SELECT count(*) FROM customers WHERE unreachable_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d customers marked unreachable after the 403", n)
	}
	owner.Tap("↩️ Reply")
	if got := owner.Last().Text; !strings.Contains(got, "This customer has blocked the bot, so a reply would not reach them.") {
		t.Fatalf("Reply on a blocked customer's rating: %q", got)
	}
	owner.Send("Sorry about the cup")
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE resolution = 'goodwill'`); n != 1 {
		t.Fatalf("the rating's resolution changed:\n%s", owner.Transcript())
	}
	if got := owner.Last().Text; strings.Contains(got, "Sent to") {
		t.Fatalf("the owner's text went on as a reply: %q", got)
	}
}

// TestTooLongReplyIsRefusedForWhatItIs: a reply over the limit is refused
// as too long (not as "not text"), and the next message still goes.
func TestTooLongReplyIsRefusedForWhatItIs(t *testing.T) {
	t.Parallel()
	_, owner, anna := lowRating(t)
	owner.Sync().Tap("↩️ Reply").Send(strings.Repeat("sorry ", 400))
	if got := owner.U.Messages(); !strings.Contains(got[len(got)-2].Text, "That is too long: at most 2000 characters") {
		t.Fatalf("a too long reply: %q", got[len(got)-2].Text)
	}
	owner.Send("So sorry, Anna!")
	anna.Sync()
	if got := anna.Last().Text; !strings.Contains(got, "So sorry, Anna!") {
		t.Fatalf("the reply after the refused one: %q", got)
	}
}

// TestLongCommentReachesTheOwnerWhole: a customer's long complaint (up
// to 3,000 characters, most of what one Telegram message holds) is kept
// and reaches the owner whole; a longer one is refused with the limit,
// and the comment can be sent again shorter.
func TestLongCommentReachesTheOwnerWhole(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	complaint := strings.Repeat("The milk was sour and nobody listened. ", 76) // 2,964 characters
	anna.Send("/feedback").Tap("1⭐").Send(complaint + complaint[:100])
	if got := anna.Last().Text; !strings.Contains(lastTexts(anna, 2), "That is too long: at most 3000 characters") {
		t.Fatalf("a comment over the limit: %q", got)
	}
	anna.Send(complaint)
	owner.Sync()
	if got := owner.Last().Text; !strings.HasSuffix(got, strings.TrimSpace(complaint)) {
		t.Fatalf("the owner's comment alert is not whole (%d characters): %.80q…", len(got), got)
	}
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE length(comment) = $1`, len(strings.TrimSpace(complaint))); n != 1 {
		t.Errorf("the comment was not kept whole")
	}
}

// lowRating is the start of a rating's thread: Anna, a member, buys from
// Boris and rates the visit two stars with a comment; the owner Olga is
// alerted (not yet synced).
func lowRating(t *testing.T) (*bottest.Harness, *bottest.Chat, *bottest.Chat) {
	t.Helper()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("2⭐").Send("The cup was dirty")
	return h, owner, anna
}

// TestReplyStartedAndCancelled: a tap on Reply only opens the step; the
// rating or the question is answered when the words go. Cancelled, it
// stays waiting for anyone (and uncounted in /stats), and the first
// message sent is what handles it.
func TestReplyStartedAndCancelled(t *testing.T) {
	t.Parallel()
	h, owner, anna := lowRating(t)
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	owner.Sync()
	question, alert := 0, 0
	for _, m := range owner.U.Messages() {
		if slices.Contains(m.Buttons(), "↩️ Reply") {
			if strings.Contains(m.Text, "oat milk") {
				question = m.ID
			} else if alert == 0 {
				alert = m.ID
			}
		}
	}
	owner.TapOld(question, "↩️ Reply").Tap("Cancel")
	if n := countRows(t, h, `SELECT count(*) FROM inquiries WHERE handled_by IS NULL`); n != 1 {
		t.Fatalf("a cancelled reply handled the question:\n%s", owner.Transcript())
	}
	owner.Send("/questions")
	if got := owner.Last(); !strings.Contains(got.Text, "Do you have oat milk?") {
		t.Fatalf("the question left the list:\n%s", got.Text)
	}
	owner.Send("/stats")
	if got := lastTexts(owner, 3); !strings.Contains(got, "waiting 1") {
		t.Fatalf("the stats count a cancelled reply:\n%s", got)
	}

	owner.TapOld(alert, "↩️ Reply").Tap("Cancel")
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE handled_by IS NULL`); n != 1 {
		t.Fatalf("a cancelled reply handled the rating:\n%s", owner.Transcript())
	}
	owner.TapOld(alert, "↩️ Reply").Send("Sorry, we will do better.")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Sorry, we will do better.") ||
		countRows(t, h, `SELECT count(*) FROM feedback WHERE resolution = 'replied'`) != 1 {
		t.Fatalf("the reply after a cancelled one:\n%s", anna.Transcript())
	}
}

// TestTwoRepliesAtOnce: an owner and a manager both open Reply on the
// same bad rating; the first words sent answer it, the second's are
// refused at the send with who answered, and said not to have gone.
func TestTwoRepliesAtOnce(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("2⭐").Send("The cup was dirty")

	owner.Sync().Tap("↩️ Reply")
	manager.Sync().Tap("↩️ Reply")
	owner.Send("Sorry, Anna! We will do better.")
	manager.Send("We apologise.")
	if got := lastTexts(manager, 2); !strings.Contains(got, "Olga has handled this rating already (replied") ||
		!strings.Contains(got, "Your message was not sent.") {
		t.Fatalf("the second reply:\n%s", manager.Transcript())
	}
	anna.Sync()
	if got := texts(anna); !strings.Contains(got, "Sorry, Anna!") || strings.Contains(got, "We apologise.") {
		t.Fatalf("Anna's replies:\n%s", anna.Transcript())
	}
}

// TestReplyToACustomerWhoErasedMeanwhile: the customer erases their data
// while the owner writes a reply (the step goes with the data); the
// owner hears the words were not sent, once, not that they were taken
// for a wish to join the program or not understood.
func TestReplyToACustomerWhoErasedMeanwhile(t *testing.T) {
	t.Parallel()
	_, owner, anna := lowRating(t)
	owner.Sync().Tap("↩️ Reply")
	anna.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	owner.Send("Sorry, Anna!")
	if got := owner.Last().Text; !strings.HasPrefix(got, "The customer deleted their data meanwhile") {
		t.Fatalf("the owner's reply after the erasure:\n%s", owner.Transcript())
	}
	// Said once: what the owner writes next is read as usual.
	owner.Send("hello")
	if got := owner.Last().Text; !strings.HasPrefix(got, "I didn't catch that.") {
		t.Fatalf("the owner's next words:\n%s", owner.Transcript())
	}
}

// TestQuestionAfterAnUnfinishedRatingIsNotLost: Anna taps 4⭐ and leaves
// the comment prompt unanswered (most people just tap the stars). Two
// days later she writes the shop a question: it must be offered to the
// shop (README: a member's text outside any step is a question; nothing
// is lost), not answered "A rating can be changed within a day only"
// with her words dropped.
func TestQuestionAfterAnUnfinishedRatingIsNotLost(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("4⭐")
	h.Clock.Advance(48 * time.Hour)
	anna.Send("Do you have oat milk?")
	if !strings.Contains(strings.Join(anna.Last().Buttons(), "|"), "✉️ Send") {
		t.Fatalf("the question was not offered to the shop:\n%s", anna.Transcript())
	}
}

// TestStaleReplyInTheDigestKeepsTheDigest: the evening digest gives Olga
// the day's ratings and two waiting questions. Max answers Bob's from his
// own digest; Olga then taps Reply on Bob's line of hers. She must be told
// Max answered it, but the digest (the day's ratings and Anna's question
// with its Reply button) must not be wiped out.
func TestStaleReplyInTheDigestKeepsTheDigest(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	buy(t, anna, cashier)
	anna.Send("/feedback").Tap("5⭐").Tap("Skip")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	bob.Send("Are you open on Sunday?").Tap("✉️ Send")
	h.Clock.Advance(time.Hour)
	if _, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	digest := owner.Sync().Last()
	if !strings.Contains(digest.Text, "Central") || !strings.Contains(digest.Text, "Are you open on Sunday?") {
		t.Fatalf("owner's digest:\n%s", owner.Transcript())
	}
	manager.Sync()
	var bobButton string
	for _, b := range manager.Last().Buttons() {
		if strings.Contains(b, "Bob") {
			bobButton = b
		}
	}
	manager.Tap(bobButton).Send("Yes, 10 to 18.")
	owner.TapOld(digest.ID, bobButton)
	var after *string
	for _, m := range owner.U.Messages() {
		if m.ID == digest.ID {
			after = &m.Text
		}
	}
	if after == nil || !strings.Contains(*after, "Central") || !strings.Contains(*after, "oat milk") {
		t.Fatalf("the digest was overwritten by the stale tap:\n%s", owner.Transcript())
	}
	if got := owner.Last().Text; !strings.Contains(got, "Max has handled this question already") {
		t.Fatalf("the stale tap's answer:\n%s", owner.Transcript())
	}
	for _, m := range owner.U.Messages() {
		if m.ID == digest.ID && strings.Contains(strings.Join(m.Buttons(), "|"), bobButton) {
			t.Fatalf("Bob's Reply is still under the digest: %q", m.Buttons())
		}
	}
}

// TestHeldRequestNotSentForARatedOrCancelledVisit: a purchase at 21:00
// Moscow time is asked about at 09:00 the next morning (quiet hours).
// Anna rates the visit herself through /feedback at 23:30 and Bella's
// purchase is cancelled before the morning: neither should be asked
// "How was your visit?" at 09:00 (README: none for a visit already rated
// or a cancelled purchase).
func TestHeldRequestNotSentForARatedOrCancelledVisit(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	bella := join(t, h, 102, "Bella")
	h.Clock.Advance(6 * time.Hour) // 21:00 in Moscow
	buy(t, anna, cashier)
	buy(t, bella, cashier)
	bellaPurchase := lastPurchaseID(t, h)
	h.Clock.Advance(2 * time.Hour) // 23:00: queued for 09:00
	if n := runFeedbackJob(t, h); n != 2 {
		t.Fatalf("the job queued %d requests, want 2", n)
	}
	h.Clock.Advance(30 * time.Minute)
	anna.Send("/feedback").Tap("5⭐").Tap("Skip")
	if err := h.DB.Update(t.Context(), func(tx domain.Tx) error {
		_, err := h.Engine.Service.CancelPurchase(t.Context(), tx, bellaPurchase, 0, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	annaSeen, bellaSeen := len(anna.Sync().U.Messages()), len(bella.Sync().U.Messages())
	h.Clock.Advance(10 * time.Hour) // 09:30 next morning
	h.Settle()
	for _, m := range anna.Sync().U.Messages()[annaSeen:] {
		if strings.Contains(m.Text, "How was your visit") {
			t.Errorf("Anna, who rated the visit at 23:30, was asked about it in the morning:\n%s", anna.Transcript())
		}
	}
	for _, m := range bella.Sync().U.Messages()[bellaSeen:] {
		if strings.Contains(m.Text, "How was your visit") {
			t.Errorf("Bella was asked about a cancelled purchase:\n%s", bella.Transcript())
		}
	}
}

// TestStorePosterMidCommentKeepsTheComment: a member whose rating's
// comment step is open scans the register poster (/start s_central) to
// show the card: the card is shown and the comment is asked again, and
// the words written next are the rating's comment, not a question.
func TestStorePosterMidCommentKeepsTheComment(t *testing.T) {
	t.Parallel()
	h, anna := ratedTwoStars(t)
	anna.Send("/start s_central")
	if !strings.Contains(lastTexts(anna, 3), "Would you like to tell us more?") {
		t.Errorf("the poster scan did not ask the pending comment again:\n%s", anna.Transcript())
	}
	anna.Send("The cup was dirty")
	if n := countRows(t, h, `SELECT count(*) FROM feedback WHERE comment = 'The cup was dirty'`); n != 1 {
		t.Fatalf("the comment was not kept on the rating:\n%s", anna.Transcript())
	}
}
