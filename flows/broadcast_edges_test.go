package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestCancelledPollTakesNoMoreAnswers: a poll broadcast cancelled while
// part of it was still waiting closes: a customer who got it before the
// cancel and taps an answer afterwards is told the poll is closed, and
// nothing is recorded (neither in the tally nor in the export); an
// answer given before the cancel stays. The tap takes the answers from
// under the message, so that nobody taps them again; the way out of
// offers stays.
func TestCancelledPollTakesNoMoreAnswers(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // 22.11.2026 15:00 Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 391, "Anna")
	boris := joinConsenting(t, h, 392, "Boris")
	joinConsenting(t, h, 393, "Carl")
	owner.Send("/broadcast").Send("Which day for the tasting?").Tap("👥 Everyone who agreed to offers").
		Tap("⏰ Schedule").Send("today at 18:00").Tap("📊 Make it a poll").Send("Friday").Send("Saturday").Tap("✅ Done").
		Tap("✅ Send to 3 customers")
	progress := owner.Last().ID
	// Anna's and Boris's messages went early (the first of a large
	// audience); Carl's still waits.
	if _, err := h.DB.Pool().Exec(t.Context(), `UPDATE outbox SET not_before = $1
		WHERE broadcast_id IS NOT NULL AND chat_id IN (391, 392)`, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(time.Minute)
	h.Settle()
	if got(anna.Sync(), "Which day") != 1 || got(boris.Sync(), "Which day") != 1 {
		t.Fatalf("the early messages did not go:\n%s", anna.Transcript())
	}
	boris.Tap("Saturday") // before the cancel: it stays
	owner.TapOld(progress, "🗑 Cancel the broadcast").TapOld(progress, "Yes, cancel what has not gone")
	if !strings.Contains(owner.Last().Text, "🗑 Cancelled, not sent: 1.") {
		t.Fatalf("after cancelling:\n%s", owner.Transcript())
	}

	anna.Tap("Friday")
	if toast := lastToast(anna); toast != "This poll is closed: its broadcast was cancelled." {
		t.Errorf("the tap on the cancelled poll was answered %q", toast)
	}
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "🛑 Stop all offers and news" {
		t.Errorf("the answers stay under the closed poll: %s", b)
	}
	if n := countRows(t, h, `SELECT count(*) FROM poll_answers`); n != 1 {
		t.Errorf("%d answers stored, want Boris's one from before the cancel", n)
	}
	owner.TapOld(progress, "📊 Progress")
	if text := owner.Last().Text; !strings.HasSuffix(text, "Friday: 0\nSaturday: 1") {
		t.Errorf("the tally after the cancel: %q", text)
	}
}

// TestBroadcastToNobodyLeftSaysSo: the confirmation counted a customer,
// who stops all offers before the owner taps Send: nothing is queued,
// and the owner is told plainly that nobody was left, not "0 of 0 sent",
// in the pushed report. A scheduled one is not over before its time:
// its progress says nobody would get it now.
func TestBroadcastToNobodyLeftSaysSo(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 395, "Anna")
	owner.Send("/broadcast").Send("Tasting tonight").Tap("👥 Everyone who agreed to offers").
		Tap("⏰ Schedule").Send("today at 18:00")
	anna.Send("/privacy").Tap("🔕 Stop offers and news")
	owner.Tap("✅ Send to 1 customer")
	const nobody = "Nobody was left to send it to"
	if text := owner.Last().Text; strings.Contains(text, "0 of 0") || !strings.Contains(text, ": 0 would get it now;") {
		t.Errorf("the progress of a scheduled broadcast nobody is left for yet: %q", text)
	}
	h.Clock.Advance(3 * time.Hour)
	h.Settle()
	runReportJob(t, h)
	if text := owner.Sync().Last().Text; strings.Contains(text, "0 of 0") || !strings.Contains(text, nobody) {
		t.Errorf("the pushed report of a broadcast nobody was left for: %q", text)
	}
}

// TestWaysOutTappedTwiceRecordOneConsent: "🛑 Stop all offers and news"
// tapped under a second message once the consent is withdrawn already,
// and "🔔 Receive offers and news" once it is back, change nothing and
// record no further consent row: /privacy and the data export keep the
// dates of the real changes.
func TestWaysOutTappedTwiceRecordOneConsent(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 397, "Anna")
	owner.Send("/broadcast").Send("First news").Tap("👥 Everyone who agreed to offers").Tap("✅ Send to 1 customer")
	owner.Send("/broadcast").Send("Second news").Tap("👥 Everyone who agreed to offers").Tap("✅ Send to 1 customer")
	h.Settle()
	anna.Sync()
	var first, second int
	for _, m := range anna.U.Messages() {
		switch {
		case strings.Contains(m.Text, "First news"):
			first = m.ID
		case strings.Contains(m.Text, "Second news"):
			second = m.ID
		}
	}
	if first == 0 || second == 0 {
		t.Fatalf("the broadcasts did not come:\n%s", anna.Transcript())
	}
	consents := func(granted bool) int {
		return countRows(t, h, `SELECT count(*) FROM consents s JOIN customers c ON c.id = s.customer_id
			WHERE c.telegram_id = 397 AND s.kind = 'marketing' AND s.granted = $1`, granted)
	}
	anna.TapOld(first, "🛑 Stop all offers and news")
	h.Clock.Advance(48 * time.Hour)
	anna.TapOld(second, "🛑 Stop all offers and news")
	if n := consents(false); n != 1 {
		t.Errorf("%d withdrawals recorded, want 1: the second tap changed nothing", n)
	}
	anna.Send("/privacy")
	if text := anna.Last().Text; !strings.Contains(text, "Offers and news: withdrawn 22.11.2026") {
		t.Errorf("/privacy dates the withdrawal by the tap that changed nothing:\n%s", text)
	}
	anna.TapOld(first, "🔔 Receive offers and news").TapOld(second, "🔔 Receive offers and news")
	if n := consents(true); n != 2 {
		t.Errorf("%d grants recorded, want 2 (joining, then one back)", n)
	}
	if c, _ := customer(t, h, 397); !c.Marketing {
		t.Error("the consent is not back")
	}
}
