package flows_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// withNudges turns on the built-in rules with no hold-out, so a test
// knows who gets what (the hold-out share has its own test).
func withNudges(b *domain.Business) {
	b.Nudges = domain.DefaultNudges()
	for i := range b.Nudges.Rules {
		b.Nudges.Rules[i].HoldOut = 0
	}
}

// runNudges runs the engine's tick as the scheduler would and waits for
// what it queued that is due.
func runNudges(t *testing.T, h *bottest.Harness) domain.NudgeReport {
	t.Helper()
	rep, err := h.Engine.RunNudges(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	h.Settle()
	return rep
}

// nudgeRows counts the stored nudges of a rule with an outcome.
func nudgeRows(t *testing.T, h *bottest.Harness, rule, outcome string) int {
	t.Helper()
	return countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = $1 AND outcome = $2`, rule, outcome)
}

// TestWelcomeNudgeAnHourAfterTheFirstPurchase: the welcome goes out an
// hour after the first purchase (not a minute before), once however often
// the engine runs, and its button shows the card and counts as a click.
func TestWelcomeNudgeAnHourAfterTheFirstPurchase(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)

	h.Clock.Advance(59 * time.Minute)
	if rep := runNudges(t, h); rep.Sent != 0 {
		t.Fatalf("%+v before the hour", rep)
	}
	h.Clock.Advance(time.Minute)
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v after the hour, want the welcome", rep)
	}
	anna.Note("an hour after the first purchase").Sync()
	if !strings.Contains(anna.Last().Text, "Thank you for your first purchase, Anna!") {
		t.Fatalf("no welcome:\n%s", anna.Transcript())
	}
	if rep := runNudges(t, h); rep.Sent+rep.Skipped+rep.HeldOut != 0 {
		t.Fatalf("a second run found %+v", rep)
	}
	anna.Tap("💳 My card")
	if _, ok := anna.LastPhoto(); !ok {
		t.Fatalf("the button did not show the card:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'welcome' AND click = 'offer' AND clicked_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d clicks recorded", n)
	}
	if got(anna, "Thank you for your first purchase") != 1 {
		t.Fatalf("welcome sent more than once:\n%s", anna.Transcript())
	}
	bottest.Golden(t, "nudge_welcome", anna.Transcript())
}

// TestWinBackRespectsConsentAndIsAttributed: 30 days without a purchase,
// a customer who agreed to offers gets the win-back with its bonus (valid
// 14 days) and one who did not gets nothing; her purchase within the
// window is credited to the nudge, and /stats nudges shows it; returns
// of it take their money back off the nudge, and a purchase returned in
// full no longer converts it.
func TestWinBackRespectsConsentAndIsAttributed(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withLongWelcome)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	buy(t, anna, cashier)
	buy(t, bob, cashier)
	h.Clock.Advance(time.Hour)
	runNudges(t, h) // the welcomes
	bobSeen := len(bob.U.Messages())

	h.Clock.Advance(30*24*time.Hour - time.Hour)
	rep := runNudges(t, h)
	if rep.Sent != 1 {
		t.Fatalf("%+v, want the win-back for Anna only", rep)
	}
	anna.Note("30 days without a purchase").Sync()
	last := anna.Last().Text
	if !strings.Contains(last, "We miss you, Anna!") || !strings.Contains(last, "100 points are on your card, valid until 05.01.2027") {
		t.Fatalf("win-back:\n%s", anna.Transcript())
	}
	if len(bob.U.Messages()) != bobSeen {
		t.Fatalf("Bob, without the marketing consent, got %q", bob.Last().Text)
	}
	if n := countRows(t, h, `SELECT count(*) FROM ledger WHERE kind = 'nudge' AND amount = 100
		AND expires_at = '2027-01-05 20:59:59.999999+00'`); n != 1 {
		t.Fatalf("%d nudge bonus rows with the 14-day expiry", n)
	}
	for _, label := range []string{"💳 My card", "🙅 Not interested", "🛑 Stop all offers and news"} {
		if !hasButton(anna, label) {
			t.Fatalf("no %q under the win-back: %v", label, anna.Last().Inline)
		}
	}

	h.Clock.Advance(2 * 24 * time.Hour)
	anna.Note("she comes back two days later")
	buy(t, anna, cashier)
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'winback' AND converted_at IS NOT NULL
		AND revenue = 100000 AND purchase_id IS NOT NULL`); n != 1 {
		t.Fatalf("the purchase was not credited to the win-back (%d)", n)
	}
	owner.Send("/stats nudges")
	text := owner.Last().Text
	for _, want := range []string{"▪️ We miss you: 1 due — 1 sent, 0 held out", "Converted: 1 sent (100.0 %)", "revenue: 1", "Too few customers"} {
		if !strings.Contains(text, want) {
			t.Fatalf("/stats nudges lacks %q:\n%s", want, text)
		}
	}
	cashier.Send("/stats nudges")
	if !strings.Contains(cashier.Last().Text, "for owners and managers") {
		t.Fatalf("a cashier read the stats: %q", cashier.Last().Text)
	}

	owner.Note("she returns part of it, then the rest: the win-back keeps what stands of it")
	returnOf := func(amount string) {
		t.Helper()
		scan(t, anna, owner)
		owner.Tap("↩ Return of items").Tap(owner.Last().Inline[0][0].Text)
		if amount == "" {
			owner.Tap(owner.Last().Inline[0][0].Text) // All
		} else {
			owner.Send(amount)
		}
		owner.Tap("✅ Confirm the return")
	}
	returnOf("400")
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'winback' AND converted_at IS NOT NULL
		AND revenue = 60000 AND purchase_id IS NOT NULL`); n != 1 {
		t.Fatalf("the return was not taken off the win-back's revenue:\n%s", owner.Transcript())
	}
	returnOf("")
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'winback' AND converted_at IS NULL
		AND revenue = 0 AND purchase_id IS NULL`); n != 1 {
		t.Fatalf("a purchase returned in full still converts the win-back:\n%s", owner.Transcript())
	}
	owner.Send("/stats nudges")
	if text := owner.Last().Text; !strings.Contains(text, "Converted: 0 sent") {
		t.Fatalf("/stats nudges after the returns:\n%s", text)
	}
}

// winBackAt23 has Anna buy at 20:00 Moscow and, 30 days on at 23:00, the
// engine record her win-back, held for the end of the quiet hours.
func winBackAt23(t *testing.T) (h *bottest.Harness, owner, anna *bottest.Chat) {
	t.Helper()
	h = bottest.New(t, withOwner, withNudges)
	owner = h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna = joinConsenting(t, h, 101, "Anna")
	h.Clock.Advance(5 * time.Hour) // 20:00 in Moscow
	buy(t, anna, cashier)
	h.Clock.Advance(30*24*time.Hour + 3*time.Hour) // 23:00
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v, want the win-back recorded", rep)
	}
	return h, owner, anna
}

// TestNudgeWaitsForQuietHours: a win-back that falls due at 23:00 Moscow
// time is recorded then, but its message waits for 10:00.
func TestNudgeWaitsForQuietHours(t *testing.T) {
	t.Parallel()
	h, _, anna := winBackAt23(t)
	moscow, _ := time.LoadLocation("Europe/Moscow")
	var sendAt, notBefore time.Time
	if err := h.DB.Pool().QueryRow(t.Context(), `SELECT n.send_at, o.not_before FROM nudges n
		JOIN outbox o ON o.nudge_id = n.id WHERE n.rule = 'winback'`).Scan(&sendAt, &notBefore); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 23, 10, 0, 0, 0, moscow); !sendAt.Equal(want) || !notBefore.Equal(want) {
		t.Fatalf("send at %s, outbox not before %s, want %s", sendAt.In(moscow), notBefore.In(moscow), want)
	}
	if got(anna, "We miss you") != 0 {
		t.Fatal("sent in the quiet hours")
	}
}

// TestFrequencyCapLetsTheHigherPriorityRuleWin: a holiday greeting
// (priority 70) and the win-back (50) fall due in the same minute: the
// greeting goes out, the win-back is skipped and recorded as capped.
func TestFrequencyCapLetsTheHigherPriorityRuleWin(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withLongWelcome, withSaleDay)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	buy(t, anna, cashier)
	h.Clock.Advance(30 * 24 * time.Hour) // 22 December, 15:00 in Moscow
	rep := runNudges(t, h)
	if rep.Sent != 1 || rep.Skipped != 1 {
		t.Fatalf("%+v, want one sent and one capped", rep)
	}
	anna.Sync()
	if got(anna, "it is our sale day") != 1 || got(anna, "We miss you") != 0 {
		t.Fatalf("the cap let both through, or the wrong one:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'winback' AND outcome = 'skipped' AND reason = 'capped'`); n != 1 {
		t.Fatal("the capped win-back is not recorded")
	}
	h.Clock.Advance(24 * time.Hour)
	if rep := runNudges(t, h); rep.Sent+rep.Skipped != 0 {
		t.Fatalf("the next day: %+v (a capped occurrence is spent)", rep)
	}
}

// TestOwnNudgeTextGroupsNumbers: an owner's text and button are
// templates; num writes a number the customer's language's way, and
// the fields stay numbers to compare.
func TestOwnNudgeTextGroupsNumbers(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, func(b *domain.Business) {
		b.Nudges.Rules = append(b.Nudges.Rules, domain.NudgeRule{ID: "sale_day", Kind: domain.NudgeHoliday,
			Enabled: true, Priority: 70, Marketing: true, Date: "12-22", At: 10 * 60, Window: 1, AttributionDays: 7, Bonus: 1500,
			Text: map[string]string{
				"en": "{{.Name}}, {{if gt .Balance 1000}}{{num .Balance}} points wait for you{{end}}",
				"ru": "{{.Name}}, {{if gt .Balance 1000}}вас ждут баллы: {{num .Balance}}{{end}}"},
			Button: map[string]string{"en": "Spend {{num .Points}}", "ru": "Потратить {{num .Points}}"}})
	})
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	buy(t, anna, cashier)
	boris := joinConsenting(t, h, 102, "Борис")
	boris.Send("/language").Tap("🇷🇺 Русский")
	h.Clock.Advance(30 * 24 * time.Hour) // 22 December
	runNudges(t, h)
	anna.Sync()
	boris.Sync()
	if got(anna, "Anna, 1,630 points wait for you") != 1 || got(anna, "🎁 1,500 points are on your card") != 1 {
		t.Fatalf("Anna's nudge:\n%s", anna.Transcript())
	}
	if got(boris, "Борис, вас ждут баллы: 1 600") != 1 {
		t.Fatalf("Boris's nudge:\n%s", boris.Transcript())
	}
	if b := anna.Last().Inline; len(b) == 0 || b[0][0].Text != "Spend 1,500" {
		t.Fatalf("Anna's button: %+v", b)
	}
	if b := boris.Last().Inline; len(b) == 0 || b[0][0].Text != "Потратить 1 500" {
		t.Fatalf("Boris's button: %+v", b)
	}
}

// TestOnboardingChainGoesInOrder: tips at two weeks; the profile step at
// three is pointless for a business without a questionnaire and is
// recorded as done; the rewards step at four weeks follows. A customer
// first seen at four weeks gets nothing: the chain never starts half way.
func TestOnboardingChainGoesInOrder(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withNudges)
	anna := join(t, h, 101, "Anna")
	h.Clock.Advance(14 * 24 * time.Hour)
	runNudges(t, h)
	anna.Sync()
	if got(anna, "a few tips for your card") != 1 {
		t.Fatalf("no tips at two weeks:\n%s", anna.Transcript())
	}
	h.Clock.Advance(7 * 24 * time.Hour)
	runNudges(t, h)
	if nudgeRows(t, h, "onboarding_profile", "skipped") != 1 {
		t.Fatal("the profile step was not recorded as done")
	}
	for range 7 { // a day at a time: the welcome points' expiry notice, in the fourth week, goes first
		h.Clock.Advance(24 * time.Hour)
		runNudges(t, h)
	}
	anna.Sync()
	if got(anna, "points on your card: 100") != 1 {
		t.Fatalf("no rewards step at four weeks:\n%s", anna.Transcript())
	}

	h2 := bottest.New(t, withNudges)
	boris := join(t, h2, 103, "Boris")
	h2.Clock.Advance(28 * 24 * time.Hour)
	runNudges(t, h2)
	boris.Sync()
	if got(boris, "you have") != 0 || got(boris, "tips") != 0 {
		t.Fatalf("the chain started half way:\n%s", boris.Transcript())
	}
}

// TestBirthdayNudgeOnTheDayWithABonus: at 10:00 in the store's zone on
// the customer's birthday (a profile fact), with 200 points valid a week.
func TestBirthdayNudgeOnTheDayWithABonus(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withNudges)
	anna := joinConsenting(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob") // no marketing consent
	for _, id := range []int64{101, 102} {
		c, _ := customer(t, h, id)
		if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO facts (customer_id, name, value, updated_at) VALUES ($1, 'birthday', '1990-11-23', $2)`, c.ID, h.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h.Clock.Advance(18*time.Hour + 59*time.Minute) // 23 November, 06:59 UTC, 09:59 in Moscow
	if rep := runNudges(t, h); rep.Sent != 0 {
		t.Fatalf("%+v before 10:00", rep)
	}
	h.Clock.Advance(time.Minute)
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v at 10:00, want Anna's birthday", rep)
	}
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "Happy birthday, Anna!") || !strings.Contains(anna.Last().Text, "200 points are on your card, valid until 30.11.2026") {
		t.Fatalf("birthday:\n%s", anna.Transcript())
	}
	if got(bob, "Happy birthday") != 0 {
		t.Fatal("a customer without the marketing consent got the birthday offer")
	}
	h.Clock.Advance(365 * 24 * time.Hour)
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v a year later, want the next birthday", rep)
	}
}

// TestNotInterestedStopsTheRule: "Not interested" removes the buttons and
// the rule never comes back for this customer.
func TestNotInterestedStopsTheRule(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withLongWelcome)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	buy(t, anna, cashier)
	h.Clock.Advance(30 * 24 * time.Hour)
	runNudges(t, h)
	anna.Sync().Tap("🙅 Not interested")
	if len(anna.Last().Inline) != 0 {
		t.Fatalf("buttons left after Not interested: %v", anna.Last().Inline)
	}
	h.Clock.Advance(24 * time.Hour)
	buy(t, anna, cashier)
	h.Clock.Advance(30 * 24 * time.Hour)
	runNudges(t, h)
	if got(anna, "We miss you") != 1 {
		t.Fatalf("the win-back came back after Not interested:\n%s", anna.Transcript())
	}
	anna.Send("/privacy").Tap("📦 Download my data")
	var export struct {
		Nudges []struct {
			Rule    string `json:"rule"`
			Outcome string `json:"outcome"`
			Points  int64  `json:"bonus_points"`
			Tapped  string `json:"tapped"`
		} `json:"automatic_messages"`
	}
	if doc := anna.Last().Document; doc == nil || json.Unmarshal(doc.Data, &export) != nil {
		t.Fatalf("no export:\n%s", anna.Transcript())
	}
	if len(export.Nudges) != 1 || export.Nudges[0].Rule != "winback" || export.Nudges[0].Tapped != "no" || export.Nudges[0].Points != 100 {
		t.Fatalf("export of the nudges: %+v", export.Nudges)
	}
	anna.SignedCallback(anna.Last().ID, "x:nudge:999999.offer", "a forged nudge button")
	if !strings.Contains(anna.Transcript(), "out of date") {
		t.Fatalf("a forged nudge button was not refused:\n%s", anna.Transcript())
	}
}

// TestNudgesStoppedBeforeSendingGoOutOnceAfterRestart: the engine queued
// its nudges and the process stopped before sending them all; after the
// restart every customer gets exactly one.
func TestNudgesStoppedBeforeSendingGoOutOnceAfterRestart(t *testing.T) {
	t.Parallel()
	h := bottest.NewWithBot(t, func(c *bot.Config) { c.SendRate = 10 }, withNudges)
	const n = 30
	seedCardholders(t, h, 7000, n)
	h.Clock.Advance(14 * 24 * time.Hour)
	if _, err := h.Engine.RunNudges(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.Bot.Stop(5 * time.Second)
	if rep, err := h.Engine.RunNudges(t.Context()); err != nil || rep.Sent != 0 {
		t.Fatalf("a second run queued %+v, %v", rep, err)
	}
	h2 := bottest.Restart(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := h2.Bot.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range int64(n) {
		if k := got(h.Chat(7000+i, "Member", "en"), "a few tips"); k != 1 {
			t.Fatalf("member %d got the tips %d times", i, k)
		}
	}
}

// seedCardholders adds n members with cards and chats, joined now.
func seedCardholders(t testing.TB, h *bottest.Harness, first int64, n int) {
	t.Helper()
	for i := range int64(n) {
		h.User(first+i, "Member", "en")
	}
	_, err := h.DB.Pool().Exec(context.Background(), `WITH c AS (INSERT INTO customers
		(telegram_id, chat_id, first_name, language, joined_at, marketing, created_at)
		SELECT g, g, 'Member', 'en', $3, true, $3 FROM generate_series($1::bigint, $1 + $2 - 1) g RETURNING id)
		INSERT INTO cards (customer_id, number, created_at) SELECT id, (10000000 + id)::text, $3 FROM c`,
		first, n, h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
}

func hasButton(c *bottest.Chat, label string) bool {
	for _, row := range c.Last().Inline {
		for _, b := range row {
			if b.Text == label {
				return true
			}
		}
	}
	return false
}

// TestTopicNudgeSkipsTheUnsubscribedAndUnreachable: a marketing rule with
// a topic reaches the consenting subscriber only: not one who turned the
// topic off in /topics, nor one who blocked the bot; the message carries
// the topic's own "Don't send me" button.
func TestTopicNudgeSkipsTheUnsubscribedAndUnreachable(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withTopics, func(b *domain.Business) {
		b.Nudges = domain.NudgeConfig{Rules: []domain.NudgeRule{{ID: "sale_day", Kind: domain.NudgeHoliday,
			Enabled: true, Marketing: true, Topic: "sales", Date: "11-22", At: 15 * 60, Window: 1, AttributionDays: 7,
			Text: map[string]string{"en": "{{.Name}}, sale today!", "ru": "{{.Name}}, сегодня скидки!"}}}}
	})
	anna := joinConsenting(t, h, 101, "Anna")
	bob := joinConsenting(t, h, 102, "Bob")
	cleo := joinConsenting(t, h, 103, "Cleo")
	bob.Send("/topics").Tap("✅ Sales")
	cleo.U.Block()
	cleo.Send("/card") // the reply's 403 marks her unreachable
	h.Settle()
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v, want Anna only", rep)
	}
	anna.Sync()
	if got(anna, "sale today") != 1 || got(bob, "sale today") != 0 || got(cleo, "sale today") != 0 {
		t.Fatalf("wrong audience: anna %d, bob %d, cleo %d", got(anna, "sale today"), got(bob, "sale today"), got(cleo, "sale today"))
	}
	if !hasButton(anna, "🔕 Don't send me Sales") {
		t.Fatalf("no topic button: %v", anna.Last().Inline)
	}
	plans, err := h.Engine.DryRunNudges(t.Context(), "sale_day", h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 1 || plans[0].Skipped != domain.SkipUnsubscribed {
		t.Fatalf("dry run after the run: %+v (Bob unsubscribed; Anna done; Cleo unreachable)", plans)
	}
}

// TestProfileInvitationsAreSpaced: the profile reminder (10 days after
// joining, then 10 days later) and the onboarding chain's profile step
// (three weeks) both ask for the profile; walked a day at a time, a
// customer is never asked twice within a week: the chain's step, a day
// after the second reminder, is recorded as done and the chain goes on.
func TestProfileInvitationsAreSpaced(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withPresets("basic"))
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	buy(t, anna, cashier)
	for range 30 {
		h.Clock.Advance(24 * time.Hour)
		runNudges(t, h)
	}
	rows, err := h.DB.Pool().Query(t.Context(), `SELECT n.rule, n.send_at FROM nudges n
		WHERE n.rule IN ('profile_incomplete', 'onboarding_profile') AND n.outcome = 'sent' ORDER BY n.send_at`)
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	sent := 0
	for rows.Next() {
		var rule string
		var at time.Time
		if err := rows.Scan(&rule, &at); err != nil {
			t.Fatal(err)
		}
		if !last.IsZero() && at.Sub(last) < 7*24*time.Hour {
			t.Errorf("%s sent %s after the previous profile invitation", rule, at.Sub(last))
		}
		last = at
		sent++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if sent != 2 || nudgeRows(t, h, "profile_incomplete", "sent") != 2 {
		t.Errorf("%d profile invitations sent, want the reminder's two", sent)
	}
	if nudgeRows(t, h, "onboarding_profile", "skipped") != 1 || nudgeRows(t, h, "onboarding_rewards", "sent") != 1 {
		t.Error("the chain's profile step was not recorded as done, or the chain stopped there")
	}
}

// TestSlowNudgesWaitADay: a tip due on the afternoon of the customer's
// birthday is not their second message that day; it goes out the next
// day, once a day has passed since the birthday's, and a dry run in
// between says why it is held back.
func TestSlowNudgesWaitADay(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withNudges)
	anna := joinConsenting(t, h, 101, "Anna") // 22 November, 12:00 UTC: onboarding_tips due 6 December, 12:00
	c, _ := customer(t, h, 101)
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO facts (customer_id, name, value, updated_at) VALUES ($1, 'birthday', '1990-12-06', $2)`, c.ID, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(13*24*time.Hour + 18*time.Hour) // 6 December, 06:00 UTC, 09:00 in Moscow
	var birthday, tips time.Time
	for range 48 {
		h.Clock.Advance(time.Hour)
		runNudges(t, h)
		anna.Sync()
		if birthday.IsZero() && got(anna, "Happy birthday") == 1 {
			birthday = h.Clock.Now()
		}
		if tips.IsZero() && nudgeRows(t, h, "onboarding_tips", "sent") == 1 {
			tips = h.Clock.Now()
		}
		if !birthday.IsZero() && tips.IsZero() && h.Clock.Now().Sub(birthday) == 6*time.Hour {
			plans, err := h.Engine.DryRunNudges(t.Context(), "onboarding_tips", h.Clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if len(plans) != 1 || plans[0].Skipped != domain.SkipWaits {
				t.Errorf("dry run between the birthday and the tip: %+v, want it waiting", plans)
			}
		}
	}
	if birthday.IsZero() || tips.IsZero() {
		t.Fatalf("birthday at %v, tips at %v:\n%s", birthday, tips, anna.Transcript())
	}
	if gap := tips.Sub(birthday); gap < 24*time.Hour || gap > 25*time.Hour {
		t.Errorf("the tip went out %v after the birthday, want the next day, a day after it", gap)
	}
	if nudgeRows(t, h, "onboarding_tips", "sent") != 1 || nudgeRows(t, h, "onboarding_tips", "skipped") != 0 {
		t.Error("the tip was not sent exactly once, or was recorded as skipped")
	}
}

// TestNudgeWaitingForTheMorningIsTakenBackOnOptOut: a win-back due at
// 23:00 waits for 10:00; Anna stops offers at 08:00 and gets nothing. The
// owner sees it not sent because she opted out, and /stats nudges counts
// it as taken back, not sent.
func TestNudgeWaitingForTheMorningIsTakenBackOnOptOut(t *testing.T) {
	t.Parallel()
	h, owner, anna := winBackAt23(t)
	h.Clock.Advance(9 * time.Hour) // 08:00
	anna.Send("/privacy").Tap("🔕 Stop offers and news")
	h.Clock.Advance(3 * time.Hour) // 11:00
	h.Settle()
	if got(anna.Sync(), "We miss you") != 0 {
		t.Fatalf("the win-back went after she stopped offers:\n%s", anna.Transcript())
	}
	owner.Send("/customer +79990000101")
	if card := owner.Last().Text; !strings.Contains(card, "not sent (they opted out before it went)") {
		t.Fatalf("the customer card:\n%s", card)
	}
	owner.Send("/stats nudges")
	if report := owner.Last().Text; !strings.Contains(report, "1 due — 0 sent, 0 held out, 0 skipped by the frequency cap") ||
		!strings.Contains(report, "Taken back before they went (the customer opted out or deleted their data): 1") {
		t.Fatalf("/stats nudges:\n%s", report)
	}
}

// TestNudgeBonusGoodThroughTheDayItNames: the birthday message says
// "200 points are on your card, valid until 30.11.2026"; on the afternoon
// of 30.11 (store time) the points must still be on the card, as a
// discount offer "until" a day is good through it (offers_used.go).
func TestNudgeBonusGoodThroughTheDayItNames(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withNudges)
	anna := joinConsenting(t, h, 101, "Anna") // +100 welcome, valid until 22.12.2026
	c, _ := customer(t, h, 101)
	if _, err := h.DB.Pool().Exec(t.Context(), `INSERT INTO facts (customer_id, name, value, updated_at) VALUES ($1, 'birthday', '1990-11-23', $2)`, c.ID, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(19 * time.Hour) // 23.11, 10:00 in Moscow
	if rep := runNudges(t, h); rep.Sent != 1 {
		t.Fatalf("%+v, want the birthday", rep)
	}
	anna.Sync()
	if !strings.Contains(anna.Last().Text, "200 points are on your card, valid until 30.11.2026") {
		t.Fatalf("birthday:\n%s", anna.Transcript())
	}
	h.Clock.Advance(7*24*time.Hour + 4*time.Hour) // 30.11, 14:00 in Moscow: still "until 30.11"
	anna.Send("/balance")
	if got := balance(t, h, 101); got != 300 {
		t.Fatalf("on 30.11 at 14:00 the card holds %d points, want 300: the message promised the 200 until 30.11\n%s",
			got, anna.Last().Text)
	}
}

// TestWelcomeBonusGoodThroughItsLastDay: /balance says the welcome bonus
// is "valid until 22.12.2026"; at 20:00 that day, at the customer's
// store, the points are still there, and gone the next morning.
func TestWelcomeBonusGoodThroughItsLastDay(t *testing.T) {
	t.Parallel()
	h := bottest.New(t)
	anna := h.Chat(101, "Anna", "en")
	anna.Send("/start s_central").Tap("✅ I agree").ShareContact("+79990000101").Tap("Anna").Tap("No, thanks")
	anna.Send("/balance")
	if !strings.Contains(anna.Last().Text, "valid until 22.12.2026") {
		t.Fatalf("the welcome bonus's date:\n%s", anna.Last().Text)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	h.Clock.Advance(time.Date(2026, 12, 22, 20, 0, 0, 0, moscow).Sub(h.Clock.Now()))
	anna.Send("/balance")
	if got := balance(t, h, 101); got != 100 {
		t.Fatalf("on 22.12 at 20:00 the card holds %d, want the 100 valid until that day\n%s", got, anna.Last().Text)
	}
	h.Clock.Advance(12 * time.Hour)
	anna.Send("/balance")
	if got := balance(t, h, 101); got != 0 {
		t.Fatalf("on 23.12 the card holds %d, want the bonus gone", got)
	}
}

// withLongWelcome gives the welcome bonus 90 days: a test that runs the
// nudges only on the win-back's day 30 would otherwise meet the welcome
// points' last day, and their reminder, which the engine running every
// minute would have sent a week before.
func withLongWelcome(b *domain.Business) { b.WelcomeBonusDays = 90 }

// TestExpiringReminderNotSentAfterThePointsWent: at 23:00 on the welcome
// points' last day their reminder falls due, but the quiet hours would
// hold it until 10:00, when the points are gone: it is recorded as too
// late, not sent.
func TestExpiringReminderNotSentAfterThePointsWent(t *testing.T) {
	t.Parallel()
	h, _, anna := winBackAt23(t)
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'points_expiring' AND outcome = 'skipped' AND reason = 'too_late'`); n != 1 {
		t.Fatalf("%d reminders recorded as too late, want 1", n)
	}
	h.Clock.Advance(12 * time.Hour)
	h.Settle()
	anna.Sync()
	if strings.Contains(anna.Transcript(), "points on your card expire on") {
		t.Fatalf("a reminder of points already gone:\n%s", anna.Transcript())
	}
}

// TestNudgeDryRunAgreesWithTheRunOnTheCap: the holiday greeting (70) and
// the win-back (50) fall due in the same minute; the run sends the
// greeting and records the win-back as capped, so the dry run at that
// minute must say so too, not that both would go.
func TestNudgeDryRunAgreesWithTheRunOnTheCap(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withNudges, withLongWelcome, withSaleDay)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := joinConsenting(t, h, 101, "Anna")
	buy(t, anna, cashier)
	h.Clock.Advance(30 * 24 * time.Hour) // 22 December, 15:00 in Moscow
	plans, err := h.Engine.DryRunNudges(t.Context(), "", h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	sends := 0
	for _, p := range plans {
		if p.Skipped == "" && !p.HeldOut && (p.Rule == "sale_day" || p.Rule == "winback") {
			sends++
		}
	}
	rep := runNudges(t, h)
	if rep.Sent != 1 || rep.Skipped != 1 {
		t.Fatalf("the run: %+v, want one sent and one capped", rep)
	}
	if sends != 1 {
		t.Fatalf("the dry run says %d marketing nudges would go to Anna, the run sent 1 and capped the other: %+v", sends, plans)
	}
}

// TestNudgeStatsDueAddsUp: a points reminder recorded too late (the
// quiet hours would hold it past the points' end) was not due after all:
// the rule's line of /stats nudges adds up.
func TestNudgeStatsDueAddsUp(t *testing.T) {
	t.Parallel()
	h, owner, _ := winBackAt23(t)
	if n := countRows(t, h, `SELECT count(*) FROM nudges WHERE rule = 'points_expiring' AND reason = 'too_late'`); n != 1 {
		t.Fatalf("%d too-late reminders, want 1", n)
	}
	owner.Send("/stats nudges")
	text := owner.Last().Text
	if strings.Contains(text, "1 due — 0 sent, 0 held out, 0 skipped by the frequency cap") {
		t.Fatalf("a due nudge that no group holds:\n%s", text)
	}
}

// withSaleDay adds a marketing holiday greeting of priority 70 on 22
// December at 10:00, above the win-back's 50.
func withSaleDay(b *domain.Business) {
	b.Nudges.Rules = append(b.Nudges.Rules, domain.NudgeRule{ID: "sale_day", Kind: domain.NudgeHoliday,
		Enabled: true, Priority: 70, Marketing: true, Date: "12-22", At: 10 * 60, Window: 1, AttributionDays: 7,
		Text: map[string]string{"en": "{{.Name}}, it is our sale day!", "ru": "{{.Name}}, у нас день скидок!"}})
}
