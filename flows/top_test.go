package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestLeaderboardOptInPseudonymsAndOptOut: /top asks once whether to be
// on the board; only those who say yes appear, as first name and initial
// or a nickname of their own (checked: no phone numbers); the board ranks
// this month's visits or points per store, with the customer's own place;
// leaving takes them off at once.
func TestLeaderboardOptInPseudonymsAndOptOut(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 901, "Boris")
	h.User(101, "Anna", "en").LastName = "karenina"
	anna := join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	cleo := join(t, h, 103, "Cleo")
	for range 3 {
		buy(t, cleo, cashier)
		buy(t, anna, cashier)
		h.Clock.Advance(24 * time.Hour)
	}
	buy(t, bob, cashier)

	anna.Send("/top")
	if !strings.Contains(lastTexts(anna, 2), "Nobody on the board has bought here this month yet.") {
		t.Fatalf("the empty board:\n%s", anna.Transcript())
	}
	anna.Tap("✅ Join as Anna K.")
	board := anna.Last().Text
	for _, want := range []string{"🏆 Central, November 2026: most visits", "1. Anna K. — 3 visits ← you", "Your place: 1 of 1, 3 visits (as Anna K.)"} {
		if !strings.Contains(board, want) {
			t.Fatalf("Anna's board lacks %q:\n%s", want, board)
		}
	}

	bob.Send("/top").Tap("✏️ Pick a nickname").Send("+7 999 123 45 67")
	if !strings.Contains(bob.Last().Text, "That nickname won't do") && !strings.Contains(lastTexts(bob, 2), "That nickname won't do") {
		t.Fatalf("a phone number taken as a nickname:\n%s", bob.Transcript())
	}
	bob.Send("Bobby_77")
	board = bob.Last().Text
	for _, want := range []string{"1. Anna K. — 3 visits", "2. Bobby_77 — 1 visit ← you", "Your place: 2 of 2"} {
		if !strings.Contains(board, want) {
			t.Fatalf("Bob's board lacks %q:\n%s", want, board)
		}
	}

	cleo.Send("/top").Tap("No, thanks")
	cleo.Send("/top")
	if n := strings.Count(cleo.Transcript(), "Would you like to be on the monthly leaderboard?"); n != 1 {
		t.Fatalf("Cleo was asked %d times", n)
	}
	if !strings.Contains(cleo.Last().Text, "You are not on the leaderboard") || strings.Contains(cleo.Last().Text, "Cleo") {
		t.Fatalf("Cleo's board:\n%s", cleo.Last().Text)
	}
	if strings.Contains(texts(anna)+texts(bob), "Cleo") {
		t.Fatal("Cleo, who said no, appears on someone's board")
	}

	anna.Tap("By points")
	if board := anna.Last().Text; !strings.Contains(board, "most points") || !strings.Contains(board, "1. Anna K. — 90 points ← you") ||
		!strings.Contains(board, "2. Bobby_77 — 30 points") {
		t.Fatalf("by points:\n%s", board)
	}
	anna.Tap("River")
	if board := anna.Last().Text; !strings.Contains(board, "🏆 River, November 2026: most points") || !strings.Contains(board, "Nobody on the board has bought here") {
		t.Fatalf("River's board:\n%s", board)
	}

	anna.Tap("🚪 Leave the board")
	bob.Send("/top")
	if board := bob.Last().Text; strings.Contains(board, "Anna") || !strings.Contains(board, "1. Bobby_77 — 1 visit ← you") {
		t.Fatalf("Anna left, yet Bob's board says:\n%s", board)
	}
	if n := countRows(t, h, `SELECT count(*) FROM leaderboard WHERE alias LIKE 'Anna%'`); n != 0 {
		t.Fatal("Anna's pseudonym is kept after she left")
	}
	bob.Note("erasing his data takes the nickname too").Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")
	if found := findEverywhere(t, h, "Bobby_77"); len(found) > 0 {
		t.Fatalf("Bob's nickname survived the erasure in %v", found)
	}
	bottest.Golden(t, "top_nickname", bob.Transcript())
}
