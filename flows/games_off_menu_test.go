package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestGamesSwitchedOffAreNotOffered: a shop that switched off the
// leaderboard, the invite program and the badges offers no /top, /invite
// or /badges in any menu or /help (a tap would only answer "there is no
// leaderboard here"), as one language offers no /language; typed, they
// still say so.
func TestGamesSwitchedOffAreNotOffered(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) {
		b.Gamification.Leaderboard.Enabled = false
		b.Gamification.Referral.Enabled = false
		b.Gamification.Badges = nil
	})
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/help")
	anna := join(t, h, 101, "Anna")
	if err := h.Bot.RegisterCommands(t.Context(), h.Biz.Languages, h.Biz.DefaultLanguage); err != nil {
		t.Fatal(err)
	}
	off := []string{"top", "invite", "badges"}
	for _, m := range []struct{ who, scope, lang string }{
		{"customers (en)", `{"type":"all_private_chats"}`, "en"},
		{"customers (ru)", `{"type":"all_private_chats"}`, "ru"},
		{"customers (any)", `{"type":"all_private_chats"}`, ""},
		{"the owner", `{"type":"chat","chat_id":900}`, ""},
	} {
		names := menuNames(h, m.scope, m.lang)
		if len(names) == 0 || !slices.Contains(names, "rewards") || slices.ContainsFunc(names, func(c string) bool { return slices.Contains(off, c) }) {
			t.Errorf("the menu of %s: %v", m.who, names)
		}
	}
	helpOf := func(c *bottest.Chat) string {
		before := len(c.U.Messages())
		c.Send("/help")
		var out []string
		for _, msg := range c.U.Messages()[before:] {
			out = append(out, msg.Text)
		}
		return strings.Join(out, "\n")
	}
	for _, c := range []struct {
		who  string
		chat *bottest.Chat
	}{{"a member", anna}, {"the owner", owner}, {"a Russian speaker", h.Chat(102, "Ivan", "ru")}} {
		help := helpOf(c.chat)
		if !strings.Contains(help, "/rewards") {
			t.Errorf("/help for %s:\n%s", c.who, help)
		}
		for _, cmd := range off {
			if strings.Contains(help, "/"+cmd+" ") {
				t.Errorf("/help for %s offers /%s, which is switched off:\n%s", c.who, cmd, help)
			}
		}
	}
	anna.Send("/top")
	if got := anna.Last().Text; got != "There is no leaderboard here." {
		t.Errorf("/top typed: %q", got)
	}
}
