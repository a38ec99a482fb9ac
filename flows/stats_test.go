package flows_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// joinVia runs a whole onboarding that starts from a deep link.
func joinVia(t *testing.T, h *bottest.Harness, id int64, name, payload string) *bottest.Chat {
	t.Helper()
	c := h.Chat(id, name, "en")
	c.Send("/start " + payload).Tap("✅ I agree").ShareContact("+7999" + strings.Repeat("0", 7-len(itoa(id))) + itoa(id)).
		Tap(name).Tap("No, thanks")
	if cust, _ := customer(t, h, id); !cust.Member() {
		t.Fatalf("join %d failed:\n%s", id, c.Transcript())
	}
	return c
}

// myQRPayload has the cashier ask for their own join QR and returns the
// /start payload it encodes.
func myQRPayload(t *testing.T, cashier *bottest.Chat) string {
	t.Helper()
	cashier.Send("/myqr")
	photo, ok := cashier.LastPhoto()
	if !ok {
		t.Fatalf("no QR:\n%s", cashier.Transcript())
	}
	link, err := bottest.DecodeQR(photo.Photo)
	if err != nil {
		t.Fatal(err)
	}
	_, payload, _ := strings.Cut(link, "?start=")
	return payload
}

// edited taps a button and checks the bot answered by editing the
// message in place, not with a new one.
func edited(t *testing.T, c *bottest.Chat, label string) string {
	t.Helper()
	n := len(c.U.Messages())
	c.Tap(label)
	if len(c.U.Messages()) != n || !c.Last().Edited {
		t.Fatalf("tapping %q did not edit the report in place:\n%s", label, c.Transcript())
	}
	return c.Last().Text
}

// TestStatsPeriodsStoresAndStaff: Anna joins through cashier Boris's own
// QR at Central and buys there twice, Bob joins at River's poster and buys
// once at Central. The owner's /stats counts them, and its buttons switch
// the period, the store and the view in place: Boris signed Anna up, and
// she came back.
func TestStatsPeriodsStoresAndStaff(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 931, "Boris")
	payload := myQRPayload(t, cashier)
	if want := fmt.Sprintf("s_central_%d", staffID(t, h, 931)); payload != want {
		t.Fatalf("Boris's QR opens %q, want %q", payload, want)
	}
	anna := joinVia(t, h, 131, "Anna", payload)
	bob := joinVia(t, h, 132, "Bob", "s_river")
	buy(t, anna, cashier)
	h.Clock.Advance(3 * 24 * time.Hour)
	buy(t, anna, cashier)
	buy(t, bob, cashier)

	owner.Send("/stats")
	report := owner.Last().Text
	for _, want := range []string{"📊 All stores · 27.10.2026 – 25.11.2026", "👥 Members: 2 (new in the period: 2)",
		"Now: active 2", "Bought again: 50.0 % of buyers (2 in all)", "🧾 Purchases: 3, customers: 2, 1.5 each",
		"Revenue through the program: 3,000 RUB, average receipt 1,000 RUB",
		"Points on the cards now: 290, a liability of 290 RUB"} {
		if !strings.Contains(report, want) {
			t.Fatalf("no %q in the report:\n%s", want, report)
		}
	}
	today := edited(t, owner, "Today")
	if !strings.Contains(today, "25.11.2026") || !strings.Contains(today, "Purchases: 2, customers: 2") {
		t.Fatalf("today's report:\n%s", today)
	}
	river := edited(t, owner, "River")
	if !strings.Contains(river, "📊 River") || !strings.Contains(river, "Members: 1 (new in the period: 0)") ||
		!strings.Contains(river, "Purchases: 0") {
		t.Fatalf("River's report today:\n%s", river)
	}
	edited(t, owner, "All stores")
	edited(t, owner, "• Today")
	edited(t, owner, "30 days")
	staff := edited(t, owner, "🧑‍💼 Staff")
	if !strings.Contains(staff, "Boris (cashier): signed up 1, 100.0 % of them bought again · checkouts 3") {
		t.Fatalf("staff view:\n%s", staff)
	}
	cohorts := edited(t, owner, "🗓 Cohorts")
	if owner.Last().ParseMode != "HTML" || !strings.HasPrefix(cohorts, "<pre>") ||
		!strings.Contains(cohorts, "2026-11     2  100\n") {
		t.Fatalf("cohort table (%s):\n%s", owner.Last().ParseMode, cohorts)
	}
	bottest.Golden(t, "stats_owner", owner.Transcript())
}

// TestStatsManagerSeesOwnStoreOnly: a manager of Central gets Central's
// numbers with no store buttons, and a forged button for another store
// still shows Central; a cashier gets no numbers at all.
func TestStatsManagerSeesOwnStoreOnly(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 932, "Mila")
	cashier := hire(t, h, owner, "cashier", 933, "Boris")
	joinVia(t, h, 133, "Anna", "s_central")
	joinVia(t, h, 134, "Bob", "s_river")

	manager.Send("/stats")
	m := manager.Last()
	if !strings.Contains(m.Text, "📊 Central") || !strings.Contains(m.Text, "Members: 1 ") {
		t.Fatalf("manager's report:\n%s", m.Text)
	}
	for _, b := range m.Buttons() {
		if b == "River" || b == "All stores" {
			t.Fatalf("a manager of one store is offered %q: %v", b, m.Buttons())
		}
	}
	manager.SignedCallback(m.ID, "x:stats:k.30.river", "a forged button for River")
	if got := manager.Last().Text; !strings.Contains(got, "📊 Central") || strings.Contains(got, "River") {
		t.Fatalf("a forged button showed another store:\n%s", got)
	}
	manager.Send("/stats staff")
	if !strings.Contains(manager.Last().Text, "Boris (cashier): nobody signed up through their QR yet · checkouts") {
		t.Fatalf("manager's staff view:\n%s", manager.Last().Text)
	}
	cashier.Send("/stats")
	if got := cashier.Last().Text; strings.Contains(got, "Members") || !strings.Contains(got, "owners and managers") {
		t.Fatalf("a cashier read the numbers:\n%s", got)
	}
	bottest.Golden(t, "stats_manager", manager.Transcript())
}

// TestStatsCustomDates: "Dates…" asks for two dates, refuses what it
// cannot read or a first day after the last, and shows the period typed;
// /stats with two dates does the same at once.
func TestStatsCustomDates(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	joinVia(t, h, 135, "Anna", "s_central")
	owner.Send("/stats").Tap("📅 Dates…").
		Send("yesterday").
		Send("22.11.2026 01.11.2026").
		Send("01.11.2026 - 21.11.2026")
	if got := owner.Last().Text; !strings.Contains(got, "01.11.2026 – 21.11.2026") || !strings.Contains(got, "Members: 0 (") {
		t.Fatalf("the report of 1–21 November:\n%s", got)
	}
	// The report's buttons keep the period, and a button sent before the
	// period's shorter writing still shows it.
	owner.Tap("🧑‍💼 Staff")
	if got := owner.Last().Text; !strings.Contains(got, "01.11.2026 – 21.11.2026") {
		t.Fatalf("the staff view of the typed period:\n%s", got)
	}
	owner.SignedCallback(owner.Last().ID, "x:stats:k.c2026110120261121.", "a Numbers button of a message sent before 12-06")
	if got := owner.Last().Text; !strings.Contains(got, "01.11.2026 – 21.11.2026") || !strings.Contains(got, "Members: 0 (") {
		t.Fatalf("an older button's period:\n%s", got)
	}
	owner.Send("/stats 22.11.2026 22.11.2026")
	if got := owner.Last().Text; !strings.Contains(got, "📊 All stores · 22.11.2026\n") || !strings.Contains(got, "Members: 1 (new in the period: 1)") {
		t.Fatalf("the report of 22 November:\n%s", got)
	}
	owner.Send("/stats someday")
	if !strings.Contains(owner.Last().Text, "/stats 01.03.2026 31.03.2026") {
		t.Fatalf("no usage for bad arguments:\n%s", owner.Last().Text)
	}
	bottest.Golden(t, "stats_dates", owner.Transcript())
}

// TestStoreLinkCreditsOnlyItsCashier: a join through s_<store>_<cashier>
// names the cashier; a link naming someone of another store, someone
// revoked or nobody joins the customer at the store all the same, crediting
// nobody.
func TestStoreLinkCreditsOnlyItsCashier(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	hire(t, h, owner, "cashier", 934, "Boris")
	boris := staffID(t, h, 934)
	joinVia(t, h, 136, "Anna", fmt.Sprintf("s_central_%d", boris))
	joinVia(t, h, 137, "Bob", fmt.Sprintf("s_river_%d", boris)) // Boris works at Central
	joinVia(t, h, 138, "Cleo", "s_central_99999")
	joinVia(t, h, 139, "Dan", "s_central_x")
	signed := countRows(t, h, `SELECT count(*) FROM customers WHERE signed_up_by = $1`, boris)
	atStores := countRows(t, h, `SELECT count(*) FROM customers WHERE joined_store_id IS NOT NULL`)
	if signed != 1 || atStores != 4 {
		t.Fatalf("%d signed up by Boris (want Anna only), %d joined at a store (want 4)", signed, atStores)
	}
}

// staffID is the staff id of a Telegram user.
func staffID(t *testing.T, h *bottest.Harness, tg int64) int64 {
	t.Helper()
	var id int64
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT id FROM staff WHERE telegram_id = $1`, tg).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestStatsGroupDigits: the owner's numbers are written as the money
// next to them is, with their digits grouped ("Points issued 3,100", in
// Russian "3 100"), not as a bare "3100".
func TestStatsGroupDigits(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	scan(t, anna, cashier)
	cashier.Send("100000").Tap("➕ Accrue +3,000").Tap("✅ Confirm")

	owner.Send("/stats")
	for _, want := range []string{"Points issued 3,100 ·", "Points on the cards now: 3,100, a liability of 3,100 RUB"} {
		if got := owner.Last().Text; !strings.Contains(got, want) {
			t.Fatalf("no %q in the report:\n%s", want, got)
		}
	}
	// The customer's own numbers too: a field of the message, and the
	// count a plural form agrees with.
	anna.Send("/balance")
	if got := anna.Last().Text; !strings.Contains(got, "Your balance: 3,100 points.") || !strings.Contains(got, "+3,000") {
		t.Fatalf("balance:\n%s", got)
	}
	anna.Send("/rewards")
	if got := anna.Last().Text; !strings.Contains(got, "3,100 points") {
		t.Fatalf("rewards:\n%s", got)
	}
	owner.Send("/language").Tap("🇷🇺 Русский").Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "Баллов на картах сейчас: 3 100, обязательства на 3 100 ₽") {
		t.Fatalf("the report in Russian:\n%s", got)
	}
}

// TestStatsTellHowTheShopAnswered: the report counts the period's bad
// ratings the shop answered and its questions, answered, closed without
// an answer or waiting, with how soon half were answered.
func TestStatsTellHowTheShopAnswered(t *testing.T) {
	t.Parallel()
	h, owner, anna := lowRating(t)
	owner.Send("/stats")
	if report := owner.Last().Text; !strings.Contains(report, "↩️ Bad ratings answered: none of 1 yet\n"+
		"✉️ No questions to the shop in the period") || strings.Contains(strings.Join(owner.Last().Buttons(), "|"), "waiting") {
		t.Fatalf("before any answer:\n%s", report)
	}
	h.Clock.Advance(95 * time.Minute)
	owner.Tap("↩️ Reply").Send("So sorry, Anna!")

	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	h.Clock.Advance(25*time.Minute + 10*time.Second)
	owner.Sync().Tap("↩️ Reply").Send("Yes!")
	anna.Send("And almond milk?").Tap("✉️ Send")
	h.Clock.Advance(3 * time.Hour)
	owner.Sync().Tap("✅ No answer needed")
	anna.Send("Are you open on the 31st?").Tap("✉️ Send")

	owner.Send("/stats")
	report := owner.Last().Text
	if !strings.Contains(report, "↩️ Bad ratings answered: 1 of 1, half of them within 1 h 35 min\n"+
		"✉️ Questions to the shop: 3: answered 1, half of them within 26 min; closed without an answer 1; waiting 1") {
		t.Fatalf("the report's answers:\n%s", report)
	}
	owner.Tap("✉️ Answer the waiting questions")
	if got := owner.Last(); !strings.Contains(got.Text, ": Are you open on the 31st?") || len(got.Buttons()) != 1 {
		t.Fatalf("the waiting questions from /stats:\n%s", owner.Transcript())
	}
	owner.Send("/stats")
	river := edited(t, owner, "River")
	if !strings.Contains(river, "✉️ No questions to the shop in the period") || strings.Contains(strings.Join(owner.Last().Buttons(), "|"), "waiting") {
		t.Fatalf("River's report counts Central's questions:\n%s", river)
	}
	owner.Send("/stats staff")
	if got := owner.Last().Text; !strings.Contains(got, "Olga (owner): ") || !strings.Contains(got, " · answered customers 1") {
		t.Fatalf("the staff view's answers (Anna's bad rating and her question: one customer):\n%s", got)
	}
}

// TestStatsAnswerButtonListsItsPeriod: the /stats button under a period
// longer than /questions' 30 days lists the waiting questions of that
// period, so it never leads to an empty list.
func TestStatsAnswerButtonListsItsPeriod(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := join(t, h, 101, "Anna")
	anna.Send("Do you sell gift cards?").Tap("✉️ Send")
	h.Clock.Advance(40 * 24 * time.Hour)

	owner.Send("/questions")
	if got := owner.Last().Text; !strings.HasPrefix(got, "✉️ No question to the shop waits") {
		t.Fatalf("/questions after 40 days: %q", got)
	}
	owner.Send("/stats").Tap("📅 Dates…").Send("01.11.2026 - 31.12.2026")
	if !slices.Contains(owner.Last().Buttons(), "✉️ Answer the waiting questions") {
		t.Fatalf("no button under the period:\n%s", owner.Transcript())
	}
	owner.Tap("✉️ Answer the waiting questions")
	if got := owner.Last().Text; !strings.Contains(got, ": Do you sell gift cards?") {
		t.Fatalf("the button's list:\n%s", owner.Transcript())
	}
}

// TestReplyThenResolvedKeepsTheFirstAnswer: a reply 10 minutes after a
// bad rating, then Resolved hours later: /stats still says answered
// within 10 minutes, and Olga answered Anna.
func TestReplyThenResolvedKeepsTheFirstAnswer(t *testing.T) {
	t.Parallel()
	h, owner, anna := lowRating(t)
	h.Clock.Advance(10 * time.Minute)
	owner.Sync().Tap("↩️ Reply").Send("So sorry, Anna!")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "So sorry, Anna!") {
		t.Fatalf("reply not relayed:\n%s", anna.Transcript())
	}
	h.Clock.Advance(5 * time.Hour)
	owner.Tap("✅ Resolved")

	owner.Send("/stats")
	if report := owner.Last().Text; !strings.Contains(report, "↩️ Bad ratings answered: 1 of 1, half of them within 10 min") {
		t.Errorf("the first answer came 10 min after the rating:\n%s", report)
	}
	owner.Send("/stats staff")
	if got := owner.Last().Text; !strings.Contains(got, " · answered customers 1") {
		t.Fatalf("Olga replied to Anna, yet is not counted as answering her:\n%s", got)
	}
}

// TestQuestionRepliedThenMarkedStaysAnswered: a question replied to and
// then marked "no answer needed" still counts as answered.
func TestQuestionRepliedThenMarkedStaysAnswered(t *testing.T) {
	t.Parallel()
	h, owner, anna := lowRating(t)
	owner.Sync().Tap("✅ Resolved")
	anna.Send("Do you have oat milk?").Tap("✉️ Send")
	h.Clock.Advance(10 * time.Minute)
	owner.Sync().Tap("↩️ Reply").Send("Yes!")
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Yes!") {
		t.Fatalf("reply not relayed:\n%s", anna.Transcript())
	}
	h.Clock.Advance(time.Hour)
	owner.Tap("✅ No answer needed")
	owner.Send("/stats")
	if report := owner.Last().Text; !strings.Contains(report, "✉️ Questions to the shop: 1: answered 1, half of them within 10 min") {
		t.Fatalf("Anna got an answer, yet:\n%s", report)
	}
}
