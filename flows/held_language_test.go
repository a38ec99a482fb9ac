package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestHeldRatingRequestInTheLanguageAtSendTime: a rating request held
// for the morning by the quiet hours goes out in the language the member
// switched to meanwhile, as a scheduled broadcast does.
func TestHeldRatingRequestInTheLanguageAtSendTime(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	h.Clock.Advance(6 * time.Hour) // 21:00 in Moscow
	buy(t, anna, cashier)
	h.Clock.Advance(2 * time.Hour) // 23:00: queued for the morning
	if n := runFeedbackJob(t, h); n != 1 {
		t.Fatalf("the job queued %d requests, want 1", n)
	}
	anna.Send("/language").Tap("🇷🇺 Русский")
	h.Clock.Advance(10 * time.Hour)
	h.Settle()
	last := anna.Sync().Last()
	if strings.Contains(last.Text, "How was your visit") || !strings.Contains(last.Text, "Как вам") {
		t.Fatalf("Anna switched to Russian at 23:00; the morning's rating request: %q\n%s", last.Text, anna.Transcript())
	}
	if len(last.Inline) == 0 || len(last.Inline[0]) != 5 {
		t.Fatalf("the request lost its stars: %+v", last.Inline)
	}
}

// TestHeldNudgeInTheLanguageAtSendTime: a win-back recorded at 23:00 and
// held for 10:00 goes in the language the member chose meanwhile, with
// its buttons working.
func TestHeldNudgeInTheLanguageAtSendTime(t *testing.T) {
	t.Parallel()
	h, _, anna := winBackAt23(t)
	anna.Send("/language").Tap("🇷🇺 Русский")
	h.Clock.Advance(11 * time.Hour)
	h.Settle()
	anna.Sync()
	text := anna.Last().Text
	if strings.Contains(text, "We miss you") || !strings.Contains(text, "Анна") && !strings.Contains(text, "Anna") {
		t.Fatalf("the held win-back after the switch to Russian: %q\n%s", text, anna.Transcript())
	}
	if got(anna, "We miss you") != 0 {
		t.Fatalf("the win-back went in English:\n%s", anna.Transcript())
	}
	anna.Tap(anna.Last().Inline[0][0].Text)
	if !strings.Contains(lastTexts(anna, 2), "Anna") {
		t.Fatalf("the held win-back's button:\n%s", anna.Transcript())
	}
}

// TestHeldMessageKeepsNoTextOnceSent: a rating request held for the
// morning keeps its text in every language while it waits; once sent,
// none is kept (as its own payload is scrubbed).
func TestHeldMessageKeepsNoTextOnceSent(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	anna := join(t, h, 101, "Anna")
	h.Clock.Advance(6 * time.Hour)
	buy(t, anna, cashier)
	h.Clock.Advance(2 * time.Hour)
	if n := runFeedbackJob(t, h); n != 1 {
		t.Fatalf("the job queued %d requests, want 1", n)
	}
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE payloads IS NOT NULL`); n != 1 {
		t.Fatalf("%d held messages keep their languages, want 1", n)
	}
	h.Clock.Advance(10 * time.Hour)
	h.Settle()
	if !strings.Contains(anna.Sync().Last().Text, "How was your visit") {
		t.Fatalf("the request did not go:\n%s", anna.Transcript())
	}
	if n := countRows(t, h, `SELECT count(*) FROM outbox WHERE payloads IS NOT NULL`); n != 0 {
		t.Fatalf("%d sent messages keep their text in every language", n)
	}
}
