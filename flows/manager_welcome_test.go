package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestManagerWelcomePointsToTheirCommands: a manager's welcome, on
// opening the invitation and at a later /start before having a card of
// their own, points to /staff, /stats and /help (theirs to run), in
// their language, and names no owner-only command.
func TestManagerWelcomePointsToTheirCommands(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Languages = []string{"ru", "en", "uz"} })
	pointers := func(who, got string) {
		t.Helper()
		for _, cmd := range []string{"/staff", "/stats", "/help"} {
			if !strings.Contains(got, cmd) {
				t.Errorf("%s's welcome names no %s:\n%s", who, cmd, got)
			}
		}
		for _, cmd := range []string{"/codes", "/audit"} {
			if strings.Contains(got, cmd) {
				t.Errorf("%s's welcome names the owners' %s:\n%s", who, cmd, got)
			}
		}
	}
	owner := h.Chat(ownerID, "Olga", "en")
	for i, lang := range []string{"en", "ru", "uz"} {
		owner.Send("/staff").Tap("➕ Invite a manager").Tap("Central")
		m := linkRe.FindStringSubmatch(owner.Last().Caption)
		if m == nil {
			t.Fatalf("no invite link:\n%s", owner.Transcript())
		}
		c := h.Chat(int64(960+i), "Mira", lang)
		c.Send("/start " + m[1])
		pointers("an invited manager ("+lang+")", lastTexts(c, 2))
		c.Send("/start")
		pointers("a manager's /start ("+lang+")", lastTexts(c, 3))
	}
}
