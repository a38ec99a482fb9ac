package flows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/flows"
)

// TestScheduledBroadcastGoesAtItsTime: after the preview the owner can
// schedule the broadcast in the store's time zone; a time that has passed
// is refused and asked again, one over a year ahead and an unreadable one
// too; the confirmation
// says when; nobody gets it before that time by the business clock, and
// the report comes only once it has gone.
func TestScheduledBroadcastGoesAtItsTime(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // the clock: 22.11.2026 15:00 in Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 331, "Anna")

	owner.Send("/broadcast").Send("Evening tasting at 19:00").Tap("👥 Everyone who agreed to offers").Tap("⏰ Schedule")
	if !strings.Contains(owner.Last().Text, "(Europe/Moscow time)") {
		t.Fatalf("the zone is not said: %q", owner.Last().Text)
	}
	owner.Send("22.11 14:00")
	if want := "That time has already passed (22.11.2026 15:00 now in Europe/Moscow)"; !strings.Contains(owner.Last().Text, want) {
		t.Fatalf("a past time: %q, want %q", owner.Last().Text, want)
	}
	owner.Send("25.12.62 18:00") // a slip of the year: 2062
	if want := "That is more than a year ahead."; !strings.Contains(owner.Last().Text, want) {
		t.Fatalf("a time decades ahead: %q, want %q", owner.Last().Text, want)
	}
	owner.Send("tonight")
	if !strings.Contains(owner.Last().Text, "I can't read that date and time") {
		t.Fatalf("unreadable: %q", owner.Last().Text)
	}
	owner.Send("today at 18:00")
	if want := "1 customer would get it now; on 22.11.2026 18:00 (Europe/Moscow) it goes to whoever is subscribed and agrees to offers at that time. Schedule it?"; !strings.Contains(owner.Last().Text, want) {
		t.Fatalf("confirmation %q, want %q", owner.Last().Text, want)
	}
	owner.Tap("✅ Send to 1 customer")
	if want := "⏰ Scheduled for 22.11.2026 18:00 (Europe/Moscow): 1 would get it now; it goes to whoever is subscribed and agrees to offers at that time."; owner.Last().Text != want {
		t.Fatalf("after confirming: %q, want %q", owner.Last().Text, want)
	}
	h.Settle()
	if n := runReportJob(t, h); n != 0 {
		t.Fatalf("a report for a broadcast still waiting: %d", n)
	}
	h.Clock.Advance(3*time.Hour - time.Minute)
	h.Settle()
	if got(anna.Sync(), "Evening tasting") != 0 {
		t.Fatal("sent before its time")
	}
	h.Clock.Advance(time.Minute)
	h.Settle()
	if got(anna.Sync(), "Evening tasting") != 1 {
		t.Fatalf("not sent at its time:\n%s", anna.Transcript())
	}
	if n := runReportJob(t, h); n != 1 {
		t.Fatalf("the report after sending: %d, want 1", n)
	}
	bottest.Golden(t, "broadcast_scheduled", owner.Sync().Transcript())
}

// TestScheduledBroadcastCanGoAtOnceInstead: a chosen time can be dropped
// before confirming.
func TestScheduledBroadcastCanGoAtOnceInstead(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	anna := joinConsenting(t, h, 332, "Anna")
	owner.Send("/broadcast").Send("Now after all").Tap("👥 Everyone who agreed to offers").
		Tap("⏰ Schedule").Send("25.12 18:00").Tap("▶️ Send at once instead")
	if !strings.Contains(owner.Last().Text, "Send now?") {
		t.Fatalf("the time was not dropped: %q", owner.Last().Text)
	}
	owner.Tap("✅ Send to 1 customer")
	h.Settle()
	if got(anna.Sync(), "Now after all") != 1 {
		t.Fatal("not sent at once")
	}
}

// TestScheduledBroadcastCanBeCancelled: the owner schedules a broadcast
// for the evening, then cancels it (two taps): nothing goes, Progress and
// the pushed report say the messages were cancelled, not failed. A
// manager who did not send it has no such button, and a forged one does
// nothing.
func TestScheduledBroadcastCanBeCancelled(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	anna := joinConsenting(t, h, 331, "Anna")
	joinConsenting(t, h, 332, "Vera")
	owner.Send("/broadcast").Send("Evening tasting at 19:00").Tap("👥 Everyone who agreed to offers").Tap("⏰ Schedule").
		Send("today at 18:00").Tap("✅ Send to 2 customers")
	progress := owner.Last().ID
	manager.Send("/help")
	id := countRows(t, h, `SELECT max(id) FROM broadcasts`)
	forged := h.Engine.SignButtons(flows.Reply{ChatID: 902, Inline: [][]flows.Button{{{Data: fmt.Sprintf("x:bccancel:%d.yes", id)}}}})
	manager.Callback(manager.Last().ID, forged.Inline[0][0].Data, "a forged cancel by a manager who did not send it")
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE broadcast_id IS NOT NULL AND dropped_at IS NULL`); n != 2 {
		t.Fatalf("%d messages left after the manager's forged cancel, want 2", n)
	}
	owner.TapOld(progress, "🗑 Cancel the broadcast").TapOld(progress, "Yes, cancel what has not gone")
	if text := owner.Last().Text; !strings.Contains(text, "0 of 2 sent") || !strings.Contains(text, "🗑 Cancelled, not sent: 2.") {
		t.Fatalf("after cancelling:\n%s", owner.Transcript())
	}
	h.Clock.Advance(4 * time.Hour)
	h.Settle()
	if got(anna.Sync(), "Evening tasting") != 0 {
		t.Fatalf("a cancelled broadcast went:\n%s", anna.Transcript())
	}
	if n := runReportJob(t, h); n != 1 {
		t.Fatalf("the report of the cancelled broadcast: %d, want 1", n)
	}
	if text := owner.Sync().Last().Text; !strings.Contains(text, "🗑 Cancelled, not sent: 2.") || strings.Contains(text, "2 failed") {
		t.Fatalf("the pushed report:\n%s", text)
	}
}

// TestScheduledBroadcastToNobodyYet: with nobody subscribed yet the owner
// cannot send at once, but can schedule: the confirmation says nobody
// would get it now and that it goes to whoever is subscribed at its time;
// a member who joins before then gets it.
func TestScheduledBroadcastToNobodyYet(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // the clock: 22.11.2026 15:00 in Moscow
	owner := h.Chat(ownerID, "Olga", "en")

	owner.Send("/broadcast").Send("Grand opening at 19:00").Tap("👥 Everyone who agreed to offers")
	if text := owner.Last().Text; !strings.Contains(text, "Nobody would get it now") {
		t.Fatalf("the confirmation with nobody subscribed: %q", text)
	}
	if b := strings.Join(owner.Last().Buttons(), "|"); strings.Contains(b, "Send") || !strings.Contains(b, "⏰ Schedule") {
		t.Fatalf("nobody now: no sending at once, but scheduling: %s", b)
	}
	owner.Tap("⏰ Schedule").Send("today at 18:00")
	want := "Nobody would get it now; on 22.11.2026 18:00 (Europe/Moscow) it goes to whoever is subscribed and agrees to offers at that time. Schedule it?"
	if text := owner.Last().Text; !strings.Contains(text, want) {
		t.Fatalf("confirmation %q, want %q", text, want)
	}
	if b := strings.Join(owner.Last().Buttons(), "|"); strings.Contains(b, "0 customers") || strings.Contains(b, "at once") {
		t.Fatalf("buttons of a scheduled broadcast to nobody yet: %s", b)
	}
	owner.Tap("✅ Schedule it")
	if want := "⏰ Scheduled for 22.11.2026 18:00 (Europe/Moscow): 0 would get it now; it goes to whoever is subscribed and agrees to offers at that time."; owner.Last().Text != want {
		t.Fatalf("after confirming: %q, want %q", owner.Last().Text, want)
	}
	anna := joinConsenting(t, h, 333, "Anna")
	h.Clock.Advance(3 * time.Hour)
	h.Settle()
	runReportJob(t, h)
	h.Settle()
	if got(anna.Sync(), "Grand opening") != 1 {
		t.Fatalf("a member who joined before its time did not get it:\n%s", anna.Transcript())
	}
}
