package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestEveryBadgeSwitchedOffIsNoBadges: the config switches the built-in
// badges off one by one ([badges.<id>] enabled = false), so a shop that
// switched off every one still lists them: no menu or /help offers
// /badges, and /badges typed says there are none here, as with no
// badges at all.
func TestEveryBadgeSwitchedOffIsNoBadges(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, func(b *domain.Business) {
		for i := range b.Gamification.Badges {
			b.Gamification.Badges[i].Enabled = false
		}
	})
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/help")
	anna := join(t, h, 101, "Anna")
	if err := h.Bot.RegisterCommands(t.Context(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ who, scope, lang string }{
		{"customers (en)", `{"type":"all_private_chats"}`, "en"},
		{"the owner", `{"type":"chat","chat_id":900}`, ""},
	} {
		if names := menuNames(h, m.scope, m.lang); !slices.Contains(names, "top") || slices.Contains(names, "badges") {
			t.Errorf("the menu of %s: %v", m.who, names)
		}
	}
	before := len(anna.U.Messages())
	anna.Send("/help")
	var help []string
	for _, msg := range anna.U.Messages()[before:] {
		help = append(help, msg.Text)
	}
	if s := strings.Join(help, "\n"); !strings.Contains(s, "/top ") || strings.Contains(s, "/badges ") {
		t.Errorf("/help offers /badges with every badge off:\n%s", s)
	}
	anna.Send("/badges")
	if got, want := anna.Last().Text, "There are no badges here yet."; got != want {
		t.Errorf("/badges typed: %q, want %q", got, want)
	}
}

// TestOnlyUnearnableBadgesAreNoBadges: the only badges left on are ones
// nobody can earn here (a friend brought, with the invite program off):
// /badges is not offered, and typed says there are none, not an empty
// board.
func TestOnlyUnearnableBadgesAreNoBadges(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, func(b *domain.Business) {
		b.Gamification.Referral.Enabled = false
		for i := range b.Gamification.Badges {
			b.Gamification.Badges[i].Enabled = b.Gamification.Badges[i].Kind == domain.BadgeReferral
		}
	})
	anna := join(t, h, 101, "Anna")
	if err := h.Bot.RegisterCommands(t.Context(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	if names := menuNames(h, `{"type":"all_private_chats"}`, "en"); slices.Contains(names, "badges") {
		t.Errorf("the customers' menu offers /badges: %v", names)
	}
	anna.Send("/badges")
	if got, want := anna.Last().Text, "There are no badges here yet."; got != want {
		t.Errorf("/badges typed: %q, want %q", got, want)
	}
}

// TestRewardsOffersNoBadgesButtonWithoutBadges: with no badge anyone can
// earn here (every one off, or only a friend brought with invites off),
// /rewards offers no 🏅 My badges button: it would only answer that
// there are none.
func TestRewardsOffersNoBadgesButtonWithoutBadges(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, withGames, func(b *domain.Business) {
		b.Gamification.Referral.Enabled = false
		for i := range b.Gamification.Badges {
			b.Gamification.Badges[i].Enabled = b.Gamification.Badges[i].Kind == domain.BadgeReferral
		}
	})
	anna := join(t, h, 101, "Anna")
	anna.Send("/rewards")
	if got := buttons(anna); strings.Contains(got, "My badges") {
		t.Errorf("/rewards offers badges nobody can earn:\n%s", anna.Transcript())
	}
}
