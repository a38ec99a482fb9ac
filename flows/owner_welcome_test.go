package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestOwnerWelcomePointsToTheirCommands: what an owner reads first, the
// first /start of an owner listed in the config or the welcome of an
// owner invited, points to /staff, /stats and /help, in their language.
func TestOwnerWelcomePointsToTheirCommands(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Languages = []string{"ru", "en", "uz"} })
	pointers := func(who, got string) {
		t.Helper()
		for _, cmd := range []string{"/staff", "/stats", "/help"} {
			if !strings.Contains(got, cmd) {
				t.Errorf("%s's welcome names no %s:\n%s", who, cmd, got)
			}
		}
	}
	owner := h.Chat(ownerID, "Olga", "en")
	owner.Send("/start")
	pointers("the config's owner", lastTexts(owner, 3))
	for i, lang := range []string{"ru", "uz"} {
		owner.Send("/staff").Tap("➕ Invite an owner")
		m := linkRe.FindStringSubmatch(owner.Last().Caption)
		if m == nil {
			t.Fatalf("no invite link:\n%s", owner.Transcript())
		}
		c := h.Chat(int64(950+i), "Emma", lang)
		c.Send("/start " + m[1])
		pointers("an invited owner ("+lang+")", lastTexts(c, 2))
	}
}
