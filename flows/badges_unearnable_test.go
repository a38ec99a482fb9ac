package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestBadgesNobodyCanEarnAreNotOffered: a shop that switched the invite
// program off, and has no birthday question in its profile, does not
// offer the built-in "friend brought" and "birthday visit" badges in
// /badges: nobody could earn them, and their hints point at /invite,
// which is not there, and at a birthday /profile does not ask for.
func TestBadgesNobodyCanEarnAreNotOffered(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, func(b *domain.Business) {
		b.Gamification.Referral.Enabled = false
	})
	anna := join(t, h, 101, "Anna")
	anna.Send("/badges")
	board := anna.Last().Text
	if !strings.Contains(board, "First purchase") {
		t.Fatalf("the badge board:\n%s", board)
	}
	for _, unearnable := range []string{"/invite", "friend brought", "Birthday visit", "add your birthday"} {
		if strings.Contains(board, unearnable) {
			t.Errorf("the board offers a badge nobody can earn (%q):\n%s", unearnable, board)
		}
	}
}
