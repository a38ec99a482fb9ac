package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestPromotionAnnouncementNotScheduledPastItsEnd: the members' message
// about a promotion running until 16:00 cannot be scheduled for 18:00,
// when it would invite them to points that no longer run; a time before
// the end is taken.
func TestPromotionAnnouncementNotScheduledPastItsEnd(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // Sunday 22 November, 15:00 in Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 331, "Anna")

	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("All stores").Tap("▶ Now").Tap("1 h (till 16:00)").
		Tap("Flash promotion until 16:00").Tap("🔥 Start").Tap("📣 Tell the members").Tap("👥 Everyone who agreed to offers").
		Tap("⏰ Schedule").Send("today at 18:00")
	if got := owner.Last().Text; !strings.Contains(got, "The promotion ends on 22.11.2026 16:00 (Europe/Moscow)") {
		t.Errorf("a time after the promotion's end:\n%s", owner.Transcript())
	}
	if hasButton(owner, "✅ Send to 1 customer") {
		t.Fatalf("a time after the end offered to send:\n%s", owner.Transcript())
	}
	owner.Send("today at 15:30")
	if want := "1 customer would get it now; on 22.11.2026 15:30 (Europe/Moscow) it goes to whoever is subscribed and agrees to offers at that time. Schedule it?"; !strings.Contains(owner.Last().Text, want) {
		t.Fatalf("a time before the end: %q, want %q", owner.Last().Text, want)
	}
	owner.Tap("✅ Send to 1 customer")
	h.Clock.Advance(4 * time.Hour)
	h.Settle()
	if n := got(anna.Sync(), "Flash promotion until 16:00"); n != 1 {
		t.Errorf("Anna got the announcement %d times, want 1:\n%s", n, anna.Transcript())
	}
}

// TestStoppedPromotionTakesBackItsWaitingAnnouncement: tomorrow's
// promotion announced for tomorrow 9:00 and cancelled today: the
// members are not invited to points that will not run. An announcement
// confirmed after the stop goes to nobody either.
func TestStoppedPromotionTakesBackItsWaitingAnnouncement(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // Sunday 22 November, 15:00 in Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 331, "Anna")

	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×3").Tap("All stores").Send("tomorrow 10:00").
		Tap("2 h (till 12:00)").Send("Monday morning").Tap("🗓 Schedule")
	started := owner.Last().ID
	owner.Tap("📣 Tell the members").Tap("👥 Everyone who agreed to offers").Tap("⏰ Schedule").
		Send("tomorrow 09:00").Tap("✅ Send to 1 customer")
	if got := owner.Last().Text; !strings.Contains(got, "⏰ Scheduled for 23.11.2026 09:00") {
		t.Fatalf("the announcement scheduled:\n%s", owner.Transcript())
	}
	// A second announcement, its confirmation left open over the stop.
	owner.TapOld(started, "📣 Tell the members").Tap("👥 Everyone who agreed to offers")
	confirm := owner.Last().ID
	owner.Send("/promo").Tap("⏹ Stop: Monday morning")
	if got := lastToast(owner); got != "Stopped." {
		t.Fatalf("cancelling the planned promotion: toast %q", got)
	}
	owner.TapOld(confirm, "✅ Send to 1 customer")
	if got := owner.Last().Text; got != "That promotion is over already." {
		t.Errorf("an announcement confirmed after the stop:\n%s", owner.Transcript())
	}
	h.Clock.Advance(20 * time.Hour) // Monday 11:00
	h.Settle()
	if n := got(anna.Sync(), "Monday morning"); n != 0 {
		t.Errorf("Anna was told %d times of a promotion cancelled before it began:\n%s", n, anna.Transcript())
	}
}

// TestStoppedPromotionClosesItsAnnouncementsPoll: a promotion announced
// with a poll ("Will you come?") and stopped early: the members who got
// the announcement can no longer answer (the points it asked about no
// longer run), and are told so; an answer given before the stop stays.
func TestStoppedPromotionClosesItsAnnouncementsPoll(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // Sunday 22 November, 15:00 in Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 335, "Anna")
	boris := joinConsenting(t, h, 336, "Boris")

	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("All stores").Tap("▶ Now").Tap("1 h (till 16:00)").
		Tap("Flash promotion until 16:00").Tap("🔥 Start").Tap("📣 Tell the members").Tap("👥 Everyone who agreed to offers").
		Tap("📊 Make it a poll").Send("Coming").Send("Not today").Tap("✅ Done").Tap("✅ Send to 2 customers")
	h.Settle()
	if got(anna.Sync(), "Flash promotion until 16:00") != 1 || got(boris.Sync(), "Flash promotion until 16:00") != 1 {
		t.Fatalf("the announcement did not go:\n%s", anna.Transcript())
	}
	boris.Tap("Coming") // before the stop: it stays
	owner.Send("/promo").Tap("⏹ Stop: Flash promotion until 16:00")
	if got := lastToast(owner); got != "Stopped." {
		t.Fatalf("stopping the promotion: toast %q\n%s", got, owner.Transcript())
	}
	anna.Tap("Coming")
	if toast := lastToast(anna); toast != "This poll is closed: the promotion was stopped." {
		t.Errorf("the tap on the stopped promotion's poll was answered %q", toast)
	}
	// The answers go from under the message, the way out of offers stays.
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "🛑 Stop all offers and news" {
		t.Errorf("the buttons under the closed poll: %s", b)
	}
	if n := countRows(t, h, `SELECT count(*) FROM poll_answers`); n != 1 {
		t.Errorf("%d answers stored, want Boris's one from before the stop", n)
	}
}

// TestEndedPromotionClosesItsAnnouncementsPoll: a promotion announced
// with a poll ("Will you come?") that ran out at its own end, not
// stopped: a tap after the end is told the promotion is over and records
// nothing, as after a stop; an answer given while it ran stays.
func TestEndedPromotionClosesItsAnnouncementsPoll(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // Sunday 22 November, 15:00 in Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 335, "Anna")
	boris := joinConsenting(t, h, 336, "Boris")

	owner.Send("/promo").Tap("🔥 Start a promotion").Tap("×2").Tap("All stores").Tap("▶ Now").Tap("1 h (till 16:00)").
		Tap("Flash promotion until 16:00").Tap("🔥 Start").Tap("📣 Tell the members").Tap("👥 Everyone who agreed to offers").
		Tap("📊 Make it a poll").Send("Coming").Send("Not today").Tap("✅ Done").Tap("✅ Send to 2 customers")
	h.Settle()
	if got(anna.Sync(), "Flash promotion until 16:00") != 1 || got(boris.Sync(), "Flash promotion until 16:00") != 1 {
		t.Fatalf("the announcement did not go:\n%s", anna.Transcript())
	}
	boris.Tap("Coming")            // while it runs: it stays
	h.Clock.Advance(2 * time.Hour) // 17:00: the promotion is over
	anna.Tap("Coming")
	if toast := lastToast(anna); toast != "This poll is closed: the promotion is over." {
		t.Errorf("the tap on the ended promotion's poll was answered %q", toast)
	}
	if b := strings.Join(anna.Last().Buttons(), "|"); b != "🛑 Stop all offers and news" {
		t.Errorf("the buttons under the closed poll: %s", b)
	}
	if n := countRows(t, h, `SELECT count(*) FROM poll_answers`); n != 1 {
		t.Errorf("%d answers stored, want Boris's one from while it ran", n)
	}
}
