package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestScheduledBroadcastReachesWhoSubscribedBeforeItsTime: a broadcast
// scheduled for later goes to those subscribed and consenting at its
// time, not only to those counted when it was scheduled: a member who
// joins meanwhile gets it, so does one who comes back to the topic (even
// one who left and came back), each once; one who withdraws the consent
// does not. The confirmation says the count is today's, not a promise.
func TestScheduledBroadcastReachesWhoSubscribedBeforeItsTime(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics) // 22.11.2026 15:00 Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 361, "Anna")
	boris := joinConsenting(t, h, 362, "Boris")
	boris.Send("/topics").Tap("✅ Sales") // out of Sales when it is scheduled

	owner.Send("/broadcast").Send("Evening sale at 19:00").Tap("📣 Sales").Tap("⏰ Schedule").Send("today at 18:00")
	if text := owner.Last().Text; strings.Contains(text, "will get it on") || !strings.Contains(text, "would get it now") {
		t.Errorf("the confirmation promises today's count for the broadcast's time: %q", text)
	}
	owner.Tap("✅ Send to 1 customer")
	if text := owner.Last().Text; !strings.Contains(text, "⏰ Scheduled for 22.11.2026 18:00 (Europe/Moscow)") ||
		!strings.Contains(text, "at that time") {
		t.Errorf("after scheduling: %q", text)
	}
	h.Settle()

	// Meanwhile Vera joins, Boris comes back to Sales, Anna leaves it and
	// comes back, Dora joins and withdraws the consent.
	vera := joinConsenting(t, h, 363, "Vera")
	boris.Send("/topics").Tap("⬜ Sales")
	anna.Send("/topics").Tap("✅ Sales").Tap("⬜ Sales")
	dora := joinConsenting(t, h, 364, "Dora")
	dora.Send("/privacy").Tap("🔕 Stop offers and news")

	h.Clock.Advance(3*time.Hour - time.Minute)
	h.Settle()
	if n := runReportJob(t, h); n != 0 {
		t.Fatalf("a report before its time: %d", n)
	}
	for _, c := range []*bottest.Chat{anna, boris, vera, dora} {
		if n := got(c.Sync(), "Evening sale"); n != 0 {
			t.Fatalf("sent before its time:\n%s", c.Transcript())
		}
	}
	h.Clock.Advance(time.Minute)
	h.Settle()
	runReportJob(t, h) // the broadcast job, at its time
	h.Settle()
	runReportJob(t, h)
	for _, c := range []*bottest.Chat{anna, boris, vera} {
		if n := got(c.Sync(), "Evening sale"); n != 1 {
			t.Errorf("subscribed and consenting at the broadcast's time, got it %d times:\n%s", n, c.Transcript())
		}
	}
	if n := got(dora.Sync(), "Evening sale"); n != 0 {
		t.Errorf("Dora withdrew the consent before the broadcast's time and got it (%d)", n)
	}
	if last := owner.Sync().Last().Text; !strings.Contains(last, "✅ Broadcast finished: 3 of 3 sent, 0 blocked the bot, 0 failed.") ||
		strings.Contains(last, "opted out") {
		t.Errorf("the report: %q", last)
	}
	// Nothing twice, however often the job runs.
	h.Clock.Advance(time.Hour)
	runReportJob(t, h)
	runReportJob(t, h)
	for _, c := range []*bottest.Chat{anna, boris, vera} {
		if n := got(c.Sync(), "Evening sale"); n != 1 {
			t.Errorf("got it %d times after the job ran again", n)
		}
	}
}

// TestCancelledScheduledBroadcastReachesNobodyAtItsTime: a scheduled
// broadcast cancelled before its time, even with nobody queued any more,
// does not go to whoever joined meanwhile.
func TestCancelledScheduledBroadcastReachesNobodyAtItsTime(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 371, "Anna")
	owner.Send("/broadcast").Send("Tasting tonight").Tap("👥 Everyone who agreed to offers").
		Tap("⏰ Schedule").Send("today at 18:00").Tap("✅ Send to 1 customer")
	progress := owner.Last().ID
	anna.Send("/privacy").Tap("🔕 Stop offers and news")
	owner.TapOld(progress, "📊 Progress").TapOld(progress, "🗑 Cancel the broadcast").TapOld(progress, "Yes, cancel what has not gone")
	vera := joinConsenting(t, h, 372, "Vera")
	h.Clock.Advance(3 * time.Hour)
	h.Settle()
	runReportJob(t, h)
	h.Settle()
	if n := got(vera.Sync(), "Tasting tonight"); n != 0 {
		t.Errorf("a cancelled broadcast went to who joined before its time (%d)", n)
	}
	if n := got(anna.Sync(), "Tasting tonight"); n != 0 {
		t.Errorf("a cancelled broadcast went to who opted out (%d)", n)
	}
}

// TestScheduledBroadcastCountsAMovedCardOnce: a member who leaves the
// topic of a scheduled broadcast, moves her card to a new Telegram
// account and comes back to the topic from there gets it once at its
// time, and the report counts her once, as for one who did not move:
// not "1 of 2 sent" with her old account's message as opted out.
func TestScheduledBroadcastCountsAMovedCardOnce(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics) // 22.11.2026 15:00 Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 381, "Anna")
	owner.Send("/broadcast").Send("Evening sale at 19:00").Tap("📣 Sales").Tap("⏰ Schedule").Send("today at 18:00").
		Tap("✅ Send to 1 customer")
	anna.Send("/topics").Tap("✅ Sales") // out: hers is taken back
	fresh := h.Chat(391, "Anna", "en")
	fresh.Send(cardMoveLink(t, owner, "+79990000381"))
	if c, _ := customer(t, h, 391); !c.Member() {
		t.Fatalf("the card did not move:\n%s", fresh.Transcript())
	}
	fresh.Send("/topics").Tap("⬜ Sales") // back, from her new account

	h.Clock.Advance(3 * time.Hour)
	h.Settle()
	runReportJob(t, h)
	h.Settle()
	runReportJob(t, h)
	if n := got(fresh.Sync(), "Evening sale"); n != 1 {
		t.Errorf("her new account got it %d times:\n%s", n, fresh.Transcript())
	}
	if n := got(anna.Sync(), "Evening sale"); n != 0 {
		t.Errorf("her old account got it %d times", n)
	}
	if last := owner.Sync().Last().Text; !strings.Contains(last, "✅ Broadcast finished: 1 of 1 sent, 0 blocked the bot, 0 failed.") ||
		strings.Contains(last, "opted out") {
		t.Errorf("the report: %q", last)
	}
}
