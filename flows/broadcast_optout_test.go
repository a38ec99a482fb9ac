package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestScheduledBroadcastSkipsWhoOptedOutMeanwhile: a customer who
// withdraws the marketing consent (or leaves the topic) after a broadcast
// was scheduled but before its time must not get it: "Without the
// marketing consent nothing is sent".
func TestScheduledBroadcastSkipsWhoOptedOutMeanwhile(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics) // 22.11.2026 15:00 Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 341, "Anna")
	boris := joinConsenting(t, h, 342, "Boris")

	owner.Send("/broadcast").Send("Evening sale at 19:00").Tap("📣 Sales").Tap("⏰ Schedule").Send("today at 18:00")
	owner.Tap("✅ Send to 2 customers")
	h.Settle()

	// Meanwhile Anna withdraws the consent in /privacy, Boris leaves Sales.
	boris.Send("/topics").Tap("✅ Sales")
	anna.Send("/privacy").Tap("🔕 Stop offers and news")
	if c, _ := customer(t, h, 341); c.Marketing {
		t.Fatalf("consent not withdrawn:\n%s", anna.Transcript())
	}

	h.Clock.Advance(3 * time.Hour)
	h.Settle()
	if n := got(anna.Sync(), "Evening sale"); n != 0 {
		t.Errorf("Anna withdrew the marketing consent before the broadcast's time and still got it (%d)", n)
	}
	if n := got(boris.Sync(), "Evening sale"); n != 0 {
		t.Errorf("Boris left the Sales topic before the broadcast's time and still got it (%d)", n)
	}
	runReportJob(t, h)
	if last := owner.Sync().Last().Text; !strings.Contains(last, "0 of 2 sent, 0 blocked the bot, 0 failed.\n"+
		"🔕 2 customers opted out or deleted their data before it reached them.") {
		t.Errorf("the report: %q", last)
	}
}

// TestPollKeepsItsAnswersWhenLeavingTheTopic: the ways out under a poll
// broadcast must not take its answer buttons away.
func TestPollKeepsItsAnswersWhenLeavingTheTopic(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 351, "Anna")
	boris := joinConsenting(t, h, 352, "Boris")
	owner.Send("/broadcast").Send("Which day for the sale?").Tap("📣 Sales").
		Tap("📊 Make it a poll").Send("Friday").Send("Saturday").Tap("✅ Done").Tap("✅ Send to 2 customers")
	h.Settle()
	if b := strings.Join(anna.Sync().Last().Buttons(), "|"); b != "Friday|Saturday|🔕 Don't send me Sales|🛑 Stop all offers and news" {
		t.Fatalf("poll buttons: %s", b)
	}
	anna.Tap("🔕 Don't send me Sales")
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "Friday|Saturday|🔔 Send me Sales again|🛑 Stop all offers and news" {
		t.Errorf("after leaving the topic the poll lost its answers: %s", b)
	}
	anna.Tap("Saturday")
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "Friday|✅ Saturday|🔔 Send me Sales again|🛑 Stop all offers and news" {
		t.Errorf("answered after leaving the topic: %s", b)
	}
	boris.Sync().Tap("🛑 Stop all offers and news")
	if b := strings.Join(boris.Last().Buttons(), "|"); b != "Friday|Saturday|🔔 Receive offers and news" {
		t.Errorf("after stopping all offers the poll lost its answers: %s", b)
	}
	boris.Tap("🔔 Receive offers and news")
	if b := strings.Join(boris.Last().Buttons(), "|"); b != "Friday|Saturday|🔕 Don't send me Sales|🛑 Stop all offers and news" {
		t.Errorf("after taking the offers back: %s", b)
	}
}

// TestOffersBackUnderABroadcastKeepsItsText: "Stop all offers" then
// "Receive offers and news" under a broadcast must not overwrite the
// broadcast the customer received.
func TestOffersBackUnderABroadcastKeepsItsText(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 361, "Anna")
	owner.Send("/broadcast").Send("Promo code AUTUMN20 until Sunday").Tap("📣 Sales").Tap("✅ Send to 1 customer")
	h.Settle()
	msg := anna.Sync().Last()
	anna.Tap("🛑 Stop all offers and news").Tap("🔔 Receive offers and news")
	if c, _ := customer(t, h, 361); !c.Marketing {
		t.Fatal("consent not given back")
	}
	for _, m := range anna.U.Messages() {
		if m.ID == msg.ID && (!strings.Contains(m.Text, "AUTUMN20") ||
			strings.Join(m.Buttons(), "|") != "🔕 Don't send me Sales|🛑 Stop all offers and news") {
			t.Fatalf("the broadcast after the offers were taken back: %q %q\n%s", m.Text, m.Buttons(), anna.Transcript())
		}
	}
}

// TestBroadcastReportAccountsForErasedRecipients: the final report's
// parts add up to what was queued when a recipient erased their data
// before the message went.
func TestBroadcastReportAccountsForErasedRecipients(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	joinConsenting(t, h, 381, "Anna")
	boris := joinConsenting(t, h, 382, "Boris")
	owner.Send("/broadcast").Send("Tasting tonight").Tap("👥 Everyone who agreed to offers").
		Tap("⏰ Schedule").Send("today at 18:00").Tap("✅ Send to 2 customers")
	h.Settle()
	boris.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	h.Clock.Advance(3 * time.Hour)
	h.Settle()
	runReportJob(t, h)
	last := owner.Sync().Last().Text
	if last != "✅ Broadcast finished: 1 of 2 sent, 0 blocked the bot, 0 failed.\n"+
		"🔕 1 customer opted out or deleted their data before it reached them." {
		t.Errorf("the report of a broadcast one recipient of which erased their data first: %q", last)
	}
}

// TestScheduledBroadcastInTheLanguageAtSendTime: a member who switches
// to Russian after a broadcast was scheduled gets it in Russian (its text
// as written, the buttons in Russian), not in the language queued.
func TestScheduledBroadcastInTheLanguageAtSendTime(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 371, "Anna")
	owner.Send("/broadcast").Send("Sale tomorrow").Tap("📣 Sales").Tap("⏰ Schedule").Send("today at 18:00").
		Tap("✅ Send to 1 customer")
	h.Settle()
	anna.Send("/language").Tap("🇷🇺 Русский")
	if c, _ := customer(t, h, 371); c.Language != "ru" {
		t.Fatalf("language not switched: %q\n%s", c.Language, anna.Transcript())
	}
	h.Clock.Advance(3 * time.Hour)
	h.Settle()
	last := anna.Sync().Last()
	if b := strings.Join(last.Buttons(), "|"); !strings.Contains(last.Text, "Sale tomorrow") || strings.Contains(b, "Stop all offers") ||
		!strings.Contains(b, "🛑") {
		t.Errorf("a member who switched to Russian got the broadcast as: %q %s", last.Text, b)
	}
}

// TestWithdrawnNudgeBonusLeavesTheCard: a win-back held for the morning
// has its 100 points on the card at once; the customer stops all offers
// before it goes: the message never comes, the points go with it (a line
// in /balance says why), and /stats nudges counts none given.
func TestWithdrawnNudgeBonusLeavesTheCard(t *testing.T) {
	t.Parallel()
	h, owner, anna := winBackAt23(t)
	if b := balance(t, h, 101); b < 100 {
		t.Fatalf("balance %d before the withdrawal, want the win-back's 100 on it", b)
	}
	before := balance(t, h, 101)
	anna.Send("/privacy").Tap("🔕 Stop offers and news")
	h.Clock.Advance(12 * time.Hour)
	h.Settle()
	if got(anna.Sync(), "We miss you") != 0 {
		t.Fatalf("the withdrawn win-back went:\n%s", anna.Transcript())
	}
	if b := balance(t, h, 101); b != before-100 {
		t.Fatalf("balance %d after the withdrawal, want %d: the bonus of a message never sent stays", b, before-100)
	}
	anna.Send("/balance")
	if !strings.Contains(anna.Last().Text, "−100  bonus of an offer not sent") {
		t.Fatalf("/balance does not say where the 100 went:\n%s", anna.Last().Text)
	}
	owner.Send("/stats nudges")
	if !strings.Contains(owner.Last().Text, "points given: 0") {
		t.Fatalf("/stats nudges counts the withdrawn bonus as given:\n%s", owner.Last().Text)
	}
}
