package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestProfileBadgeWithoutQuestionnaireIsNoBadges: a shop whose profile
// asks nothing (no questionnaire sections) and leaves only the built-in
// "profile complete" badge on offers no /badges in menus, /help or
// /rewards: nobody could complete a profile, and /badges typed says
// there are none here, not an empty board.
func TestProfileBadgeWithoutQuestionnaireIsNoBadges(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, func(b *domain.Business) {
		b.Questionnaire = domain.Questionnaire{}
		for i := range b.Gamification.Badges {
			b.Gamification.Badges[i].Enabled = b.Gamification.Badges[i].Kind == domain.BadgeProfileComplete
		}
	})
	anna := join(t, h, 101, "Anna")
	if err := h.Bot.RegisterCommands(t.Context(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	if names := menuNames(h, `{"type":"all_private_chats"}`, "en"); slices.Contains(names, "badges") {
		t.Errorf("the customers' menu offers /badges: %v", names)
	}
	before := len(anna.U.Messages())
	anna.Send("/help")
	var help []string
	for _, msg := range anna.U.Messages()[before:] {
		help = append(help, msg.Text)
	}
	if s := strings.Join(help, "\n"); strings.Contains(s, "/badges ") {
		t.Errorf("/help offers /badges with no profile to complete:\n%s", s)
	}
	anna.Send("/rewards")
	if got := buttons(anna); strings.Contains(got, "My badges") {
		t.Errorf("/rewards offers badges nobody can earn:\n%s", anna.Transcript())
	}
	anna.Send("/badges")
	if got, want := anna.Last().Text, "There are no badges here yet."; got != want {
		t.Errorf("/badges typed: %q, want %q", got, want)
	}
	// /profile shows her name and phone, and promises no questions the
	// shop does not ask.
	anna.Send("/profile")
	if got := anna.Last().Text; !strings.Contains(got, "Anna") || strings.Contains(got, "We will ask") {
		t.Errorf("/profile of a shop that asks nothing:\n%s", got)
	}
}
