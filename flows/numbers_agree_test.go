package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestFeedbackExportCountsWhatStatsCounts: Anna rates a visit 1⭐ and
// Boris cancels it from /today (rung up by mistake); Bob rates his 5⭐.
// /stats and the weekly report count one rating, 5.0 ★: the owner's
// feedback export must hold the same ratings, so a spreadsheet over its
// rows says what the bot says, not 2 ratings, 3.0 ★.
func TestFeedbackExportCountsWhatStatsCounts(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	boris := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	scan(t, anna, boris)
	boris.Send("500").Tap("➕ Accrue +15").Tap("✅ Confirm")
	anna.Send("/feedback").Tap("1⭐").Tap("Skip")
	boris.Send("/today").Tap(buttonWith(t, boris, "Anna · 500 RUB")).Tap("Yes, cancel it")
	buy(t, bob, boris)
	bob.Send("/feedback").Tap("5⭐").Tap("Skip")

	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "Ratings: 1, average 5.0 ★") {
		t.Fatalf("/stats:\n%s", got)
	}
	h.Clock.Advance(18 * time.Hour) // Monday 23.11, 09:00
	if _, err := h.Engine.SendWeeklyReport(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	if got := lastPNG(t, owner); !strings.Contains(got, "Ratings 1, average 5.0") {
		t.Fatalf("the weekly report:\n%s", got)
	}
	owner.Send("/export").Tap("⭐ Feedback")
	rows := lastCSV(t, owner, "feedback-2026-11-23.csv")
	if len(rows) != 2 || rows[1][6] != "5" {
		t.Errorf("the feedback export holds other ratings than /stats counts: %q", rows)
	}
}
