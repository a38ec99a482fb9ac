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

// TestQuestionsToTheShop: a member's words outside any step are offered
// to the shop, more words join them, and Send gives the question to the
// owner and the store's manager (not to a cashier); the first to reply
// handles it, the other is told, and the thread goes on both ways. Don't
// send keeps it back; a staff member's stray words get the hint. Sent
// while the store is closed, the customer is told when it opens.
func TestQuestionsToTheShop(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withStoreDetails)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	anna := join(t, h, 101, "Anna")
	posBuy(t, h, 101, "coffee")
	cashierBefore := len(cashier.U.Messages())

	anna.Send("Hello! Do you have oat milk?").Send("And almond?")
	if !strings.Contains(anna.Last().Text, "“Hello! Do you have oat milk?\nAnd almond?”") {
		t.Fatalf("the words are not kept together:\n%s", anna.Transcript())
	}
	anna.Tap("✉️ Send")
	if !strings.Contains(anna.Last().Text, "✉️ Sent to Test Coffee") || len(anna.Last().Buttons()) != 0 ||
		!strings.HasSuffix(anna.Last().Text, "\n\n🏪 Central: 🔴 Closed, opens tomorrow at 08:00") {
		t.Fatalf("not told the question went:\n%s", anna.Transcript())
	}
	manager.Sync()
	owner.Sync()
	want := "✉️ Question from Anna\nStore: Central\nVisits: 1 · Lifetime spend: 1,000 RUB\n\nHello! Do you have oat milk?\nAnd almond?"
	for _, c := range []*bottest.Chat{owner, manager} {
		if c.Last().Text != want {
			t.Fatalf("%d's alert %q, want %q", c.U.ID, c.Last().Text, want)
		}
	}
	if got := cashier.U.Messages()[cashierBefore:]; len(got) != 0 {
		t.Fatalf("a cashier got the question: %+v", got)
	}
	alert := manager.Last().ID
	owner.Tap("↩️ Reply").Send("Yes, both! Oat is 40 ₽ extra.")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Yes, both! Oat is 40 ₽ extra.\n\n— Test Coffee") {
		t.Fatalf("the shop's answer:\n%s", anna.Transcript())
	}
	manager.TapOld(alert, "↩️ Reply")
	if !strings.Contains(manager.Last().Text, "Olga has handled this question already (replied") {
		t.Fatalf("a second reply is not stopped:\n%s", manager.Transcript())
	}
	anna.Tap("↩️ Answer").Send("Great, thanks!")
	owner.Sync()
	if !strings.Contains(owner.Last().Text, "Anna answers:\nGreat, thanks!") {
		t.Fatalf("the customer's answer back:\n%s", owner.Transcript())
	}

	anna.Send("oops").Send("/balance")
	if !strings.HasPrefix(anna.Last().Text, "Your balance: 130 points.") {
		t.Fatalf("a command after the words asks about them again:\n%s", anna.Transcript())
	}
	anna.Tap("Don't send")
	if got(anna, "Not sent.") != 1 {
		t.Fatalf("Don't send:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM inquiries`); n != 1 {
		t.Fatalf("%d questions kept, want the one sent", n)
	}
	cashier.Note("the cashier is a member too").Send("/start").Tap("✅ I agree").ShareContact("+79990000961").Tap("Boris").Tap("No, thanks")
	cashier.Send("hello?")
	if !strings.Contains(cashier.Last().Text, "/help") || strings.Contains(cashier.Last().Text, "Send this") {
		t.Fatalf("a cashier's stray words:\n%s", cashier.Transcript())
	}
	bottest.Golden(t, "inquiry_customer", anna.Transcript())
	bottest.Golden(t, "inquiry_owner", owner.Transcript())

	anna.Note("four more questions within the day, then one too many")
	for range 4 {
		anna.Send("one more question").Tap("✉️ Send")
	}
	anna.Send("and another").Tap("✉️ Send")
	if !strings.Contains(anna.Last().Text, "You have sent the shop several questions today") {
		t.Fatalf("the sixth question of the day:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM inquiries`); n != 5 {
		t.Fatalf("%d questions kept, want 5", n)
	}
	h.Clock.Advance(24*time.Hour + time.Minute)
	anna.Send("next day").Tap("✉️ Send")
	if !strings.Contains(anna.Last().Text, "✉️ Sent") {
		t.Fatalf("the next day:\n%s", anna.Last().Text)
	}

	anna.Send("/privacy").Tap("📦 Download my data")
	var export struct {
		Questions []struct {
			Store      string  `json:"store"`
			Text       string  `json:"text"`
			AnsweredAt *string `json:"answered_at"`
		} `json:"questions_to_the_shop"`
	}
	if doc := anna.Last().Document; doc == nil || json.Unmarshal(doc.Data, &export) != nil || len(export.Questions) != 6 ||
		export.Questions[0].Store != "Central" || export.Questions[0].AnsweredAt == nil || export.Questions[1].AnsweredAt != nil {
		t.Fatalf("the data export's questions: %+v", export.Questions)
	}
}

// TestDigestListsOpenQuestions: the evening digest lists the last week's
// questions nobody answered, to the owners and the managers of the
// store (a question of no store to every manager), each with Reply; an
// answered one is not listed, nor one older than a week, and a day with
// neither ratings nor open questions sends nothing.
func TestDigestListsOpenQuestions(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) {
		// Each question's time at its store's clock: River, first in the
		// config, in Tashkent, is the clock of a question of no store.
		b.Stores[0], b.Stores[1] = b.Stores[1], b.Stores[0]
		b.Stores[0].TimeZone = "Asia/Tashkent"
	})
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	posBuy(t, h, 101, "coffee")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	anna.Send("And   a long question\nover two lines, " + strings.Repeat("and more ", 10)).Tap("✉️ Send")
	bob.Send("Are you open on Sunday?").Tap("✉️ Send")
	owner.Sync()
	owner.TapOld(owner.U.Messages()[len(owner.U.Messages())-3].ID, "↩️ Reply").Send("Yes, we have it.")

	h.Clock.Advance(time.Hour)
	if _, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB); err != nil {
		t.Fatal(err)
	}
	// Max, Central's manager, gets his at Central's evening, Moscow's
	// (after Tashkent's).
	h.Clock.Advance(time.Minute)
	if _, err := h.Engine.Service.DigestFeedbackIn(t.Context(), h.DB, "Europe/Moscow"); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	want := "✉️ Questions to the shop without an answer:\n1. Anna, 22.11 15:00: And a long question over two lines, and more and more and more and more and mor…\n2. Bob, 22.11 17:00: Are you open on Sunday?"
	for _, c := range []*bottest.Chat{owner, manager} {
		if got := c.Sync().Last(); got.Text != want || strings.Join(got.Buttons(), "|") != "↩️ 1. Anna, 22.11 15:00|↩️ 2. Bob, 22.11 17:00" {
			t.Fatalf("%d's digest:\n%s\n%v\nwant:\n%s", c.U.ID, got.Text, got.Buttons(), want)
		}
	}
	manager.Tap("↩️ 2. Bob, 22.11 17:00").Send("Yes, 10 to 18.")
	bob.Sync()
	if !strings.Contains(bob.Last().Text, "Yes, 10 to 18.\n\n— Test Coffee") {
		t.Fatalf("the reply from the digest:\n%s", bob.Transcript())
	}

	owner.Note("eight days on: the last open question is over a week old")
	seen := len(owner.Sync().U.Messages())
	h.Clock.Advance(8 * 24 * time.Hour)
	if _, err := h.Engine.Service.DigestFeedback(t.Context(), h.DB); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	if got := len(owner.Sync().U.Messages()); got != seen {
		t.Fatalf("a digest with nothing to say was sent:\n%s", owner.Transcript())
	}
}

// TestCustomerCardListsQuestions: the owners' /customer card lists the
// customer's questions, answered (how soon), closed or waiting, and the
// newest waiting one can be answered from the card.
func TestCustomerCardListsQuestions(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	anna := join(t, h, 101, "Anna")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	h.Clock.Advance(10 * time.Minute)
	owner.Sync().Tap("↩️ Reply").Send("Yes!")
	anna.Send("Is there parking?").Tap("✉️ Send")
	owner.Sync().Tap("✅ No answer needed")
	h.Clock.Advance(time.Hour)
	anna.Send("Can I book a table for Friday?").Tap("✉️ Send")

	owner.Send("/customer +79990000101")
	card := owner.Last().Text
	if !strings.Contains(card, "✉️ Questions to the shop:\n"+
		"• 22.11.2026 “Can I book a table for Friday?”: ⏳ waiting for an answer\n"+
		"• 22.11.2026 “Is there parking?”: closed without an answer\n"+
		"• 22.11.2026 “Do you have oat milk?”: answered in 10 min") {
		t.Fatalf("the card's questions:\n%s", card)
	}
	owner.Tap("↩️ Reply to the question of 22.11").Send("Yes, for how many?")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Yes, for how many?\n\n— Test Coffee") {
		t.Fatalf("the reply from the card:\n%s", anna.Transcript())
	}
	// The questions export lists them with who handled each and when (no
	// store: Anna neither joined at one nor bought).
	owner.Send("/export").Tap("✉️ Questions to the shop")
	rows := lastCSV(t, owner, "questions-2026-11-22.csv")
	want := [][]string{
		{"id", "at", "store", "customer_id", "question", "with_photo", "handled_by", "handled_at", "resolution", "wait_minutes", "time_zone"},
		{"1", "2026-11-22 15:00:00", "", "1", "Do you have oat milk?", "false", "Olga", "2026-11-22 15:10:00", "replied", "10", "Europe/Moscow"},
		{"2", "2026-11-22 15:10:00", "", "1", "Is there parking?", "false", "Olga", "2026-11-22 15:10:00", "resolved", "0", "Europe/Moscow"},
		{"3", "2026-11-22 16:10:00", "", "1", "Can I book a table for Friday?", "false", "Olga", "2026-11-22 16:10:00", "replied", "0", "Europe/Moscow"},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("the questions export:\n%q\nwant\n%q", rows, want)
	}
	owner.Send("/customer +79990000101")
	if strings.Contains(owner.Last().Text, "⏳") || slices.ContainsFunc(owner.Last().Buttons(), func(b string) bool { return strings.HasPrefix(b, "↩️ Reply to the question") }) {
		t.Fatalf("the card after the reply:\n%s", owner.Transcript())
	}
}

// TestQuestionsCommandListsTheWaiting: /questions gives owners every
// question nobody answered, a store's managers their store's and those
// of no store, each with a button to reply; an answered one leaves the
// list, and with none left it says so. Cashiers get no list.
func TestQuestionsCommandListsTheWaiting(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 962, "Max")
	cashier := hire(t, h, owner, "cashier", 961, "Boris")
	anna := joinVia(t, h, 101, "Anna", "s_central")
	bob := joinVia(t, h, 102, "Bob", "s_river")
	carl := join(t, h, 103, "Carl")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	h.Clock.Advance(time.Minute)
	bob.Send("Is the river shop open on Sunday?").Tap("✉️ Send")
	h.Clock.Advance(time.Minute)
	carl.Send("Do you deliver?").Tap("✉️ Send")

	owner.Send("/questions")
	if got := owner.Last(); !strings.Contains(got.Text, "1. Anna, 22.11 15:00: Do you have oat milk?\n2. Bob, 22.11 15:01: Is the river shop open on Sunday?\n3. Carl, 22.11 15:02: Do you deliver?") ||
		len(got.Buttons()) != 3 {
		t.Fatalf("the owner's list:\n%s\n%v", got.Text, got.Buttons())
	}
	manager.Send("/questions")
	if got := manager.Last(); strings.Contains(got.Text, "Bob") || strings.Join(got.Buttons(), "|") != "↩️ 1. Anna, 22.11 15:00|↩️ 2. Carl, 22.11 15:02" {
		t.Fatalf("Central's manager's list:\n%s\n%v", got.Text, got.Buttons())
	}
	manager.Tap("↩️ 1. Anna, 22.11 15:00").Send("Yes, we do.")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Yes, we do.") {
		t.Fatalf("the reply from the list:\n%s", anna.Transcript())
	}
	manager.Send("/questions")
	if got := manager.Last(); strings.Join(got.Buttons(), "|") != "↩️ 1. Carl, 22.11 15:02" {
		t.Fatalf("the list after a reply:\n%s\n%v", got.Text, got.Buttons())
	}
	manager.Tap("↩️ 1. Carl, 22.11 15:02").Send("Not yet, sorry.")
	manager.Send("/questions")
	if got := manager.Last().Text; got != "✉️ No question to the shop waits for an answer (the last 30 days)." {
		t.Fatalf("an empty list: %q", got)
	}
	cashier.Send("/questions")
	if got := cashier.Last().Text; strings.Contains(got, "Bob") || strings.Contains(got, "✉️") {
		t.Fatalf("a cashier's /questions: %q", got)
	}
}

// TestPhotoQuestion: a photo outside any step ("do you have this?") is a
// question too, with its caption or the words written after it; the
// owner gets the photo, then the question under it. One photo a
// question; the lists mark a question with a photo 📷.
func TestPhotoQuestion(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en").Send("/help")
	anna := join(t, h, 101, "Anna")

	anna.PhotoCaption("Do you have these beans in 1 kg?")
	if got := anna.Last().Text; !strings.Contains(got, "“📷 Do you have these beans in 1 kg?”") || len(anna.Last().Buttons()) != 2 {
		t.Fatalf("the offer of a photo with a caption:\n%s", anna.Transcript())
	}
	anna.Tap("✉️ Send")
	owner.Sync()
	msgs := owner.U.Messages()
	photo, alert := msgs[len(msgs)-2], msgs[len(msgs)-1]
	if photo.PhotoRef != "user-photo" || !strings.HasSuffix(alert.Text, "\n\n📷 Do you have these beans in 1 kg?") ||
		len(alert.Inline) != 2 {
		t.Fatalf("the owner's photo and alert: %+v\n%+v", photo, alert)
	}

	anna.Photo().Send("And this one, in blue?")
	if got := anna.Last().Text; !strings.Contains(got, "“📷 And this one, in blue?”") {
		t.Fatalf("a photo, then words:\n%s", anna.Transcript())
	}
	anna.Photo()
	if !strings.Contains(texts(anna), "One photo per question") {
		t.Fatalf("a second photo:\n%s", anna.Transcript())
	}
	anna.Tap("✉️ Send")
	if n := countRows(t, h, `SELECT count(*) FROM inquiries WHERE photo = 'user-photo'`); n != 2 {
		t.Fatalf("%d questions with the photo, want 2", n)
	}
	bottest.Golden(t, "inquiry_photo_customer", anna.Transcript())
	owner.Send("/questions")
	if got := owner.Last().Text; !strings.Contains(got, ": 📷 Do you have these beans in 1 kg?") ||
		!strings.Contains(got, ": 📷 And this one, in blue?") {
		t.Fatalf("/questions:\n%s", got)
	}
	anna.Send("/privacy").Tap("📦 Download my data")
	if doc := anna.Last().Document; doc == nil || strings.Count(string(doc.Data), `"with_photo": true`) != 2 {
		t.Fatalf("the data export's questions with photos")
	}
}

// TestCustomerCardOffersOnlyQuestionsTheStaffAnswers: a store's manager
// sees the waiting question to another store of a customer who bought at
// theirs on the card, but no Reply they could not use.
func TestCustomerCardOffersOnlyQuestionsTheStaffAnswers(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/staff").Tap("➕ Invite a manager").Tap("River")
	m := linkRe.FindStringSubmatch(owner.Last().Caption)
	if m == nil {
		t.Fatalf("no invite link in %q", owner.Last().Caption)
	}
	river := h.Chat(963, "Rita", "en").Send("/start " + m[1])
	anna := joinVia(t, h, 101, "Anna", "s_central")
	anna.Send("Can I book a table for Friday?").Tap("✉️ Send")
	buy(t, anna, hireAt(t, h, owner, "cashier", "River", 964, "Ivan")) // River's customer too, after

	river.Send("/customer +79990000101")
	if got := river.Last(); !strings.Contains(got.Text, "⏳ waiting for an answer") ||
		slices.ContainsFunc(got.Buttons(), func(b string) bool { return strings.HasPrefix(b, "↩️ Reply to the question") }) {
		t.Fatalf("River's manager on a Central question:\n%s\n%v", got.Text, got.Buttons())
	}
	owner.Send("/customer +79990000101")
	if !slices.Contains(owner.Last().Buttons(), "↩️ Reply to the question of 22.11") {
		t.Fatalf("the owner's card: %v", owner.Last().Buttons())
	}
}
