package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestScheduledBroadcastReachesWhoUnblockedBeforeItsTime: a member
// blocks the bot for a while in the afternoon (a message then meets
// Telegram's 403) and comes back with /start before the evening's
// scheduled broadcast. At its time she is reachable again: she gets it,
// and the report does not count her as having blocked the bot.
func TestScheduledBroadcastReachesWhoUnblockedBeforeItsTime(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // 22.11.2026 15:00 Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 343, "Anna")
	owner.Send("/broadcast").Send("Evening tasting").Tap("👥 Everyone who agreed to offers").Tap("⏰ Schedule").
		Send("today at 18:00").Tap("✅ Send to 1 customer")
	h.Settle()

	anna.U.Block()
	owner.Send("/broadcast").Send("Flash news").Tap("👥 Everyone who agreed to offers").Tap("✅ Send to 1 customer")
	h.Settle()
	if c, _ := customer(t, h, 343); !c.Unreachable {
		t.Fatal("the 403 did not mark Anna unreachable")
	}
	anna.U.Unblock()
	anna.Send("/start")

	h.Clock.Advance(3 * time.Hour)
	h.Settle()
	if n := got(anna.Sync(), "Evening tasting"); n != 1 {
		t.Errorf("Anna was back before the scheduled broadcast's time and got it %d times", n)
	}
	runReportJob(t, h)
	reports := []string{}
	for _, m := range owner.Sync().U.Messages() {
		if strings.HasPrefix(m.Text, "✅ Broadcast finished") {
			reports = append(reports, m.Text)
		}
	}
	want := []string{
		"✅ Broadcast finished: 1 of 1 sent, 0 blocked the bot, 0 failed.", // the tasting
		"✅ Broadcast finished: 0 of 1 sent, 1 blocked the bot, 0 failed.", // the flash news
	}
	if strings.Join(reports, "\n") != strings.Join(want, "\n") {
		t.Errorf("reports:\n%s\nwant:\n%s", strings.Join(reports, "\n"), strings.Join(want, "\n"))
	}
}

// TestScheduledProgressCountsWhatIsStillToGo: once a recipient of a
// scheduled broadcast opts out, Progress says one fewer is to go, not
// the count queued beside the line saying that one opted out.
func TestScheduledProgressCountsWhatIsStillToGo(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withTopics)
	owner := h.Chat(ownerID, "Olga", "en")
	joinConsenting(t, h, 344, "Anna")
	boris := joinConsenting(t, h, 345, "Boris")
	owner.Send("/broadcast").Send("Evening sale").Tap("📣 Sales").Tap("⏰ Schedule").Send("today at 18:00").
		Tap("✅ Send to 2 customers")
	h.Settle()
	boris.Send("/topics").Tap("✅ Sales")
	owner.Tap("📊 Progress")
	want := "⏰ Scheduled for 22.11.2026 18:00 (Europe/Moscow): 1 would get it now; it goes to whoever is subscribed and agrees to offers at that time.\n" +
		"🔕 1 customer opted out or deleted their data before it reached them."
	if got := owner.Last().Text; got != want {
		t.Errorf("progress %q, want %q", got, want)
	}
}
