package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestStatsDatesFarAhead: an owner who types a last day centuries ahead
// (a slip of the year: 31.12.9999) is told the dates are not taken, at
// /stats and at the Dates… question alike, instead of a report of
// another period (up to 10.04.2292, where a time.Duration stops); the
// question stays, and two good dates then show the report.
func TestStatsDatesFarAhead(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")

	owner.Send("/stats 01.11.2026 31.12.9999")
	if got := owner.Last().Text; strings.Contains(got, "something went wrong") || !strings.Contains(got, "/stats 01.03.2026 31.03.2026") {
		t.Fatalf("/stats up to the year 9999:\n%s", owner.Transcript())
	}
	owner.Send("/stats").Tap("📅 Dates…").Send("01.11.2026 - 31.12.9999")
	if got := lastTexts(owner, 2); strings.Contains(got, "something went wrong") || !strings.Contains(got, "I couldn't read those dates") {
		t.Fatalf("Dates… up to the year 9999:\n%s", owner.Transcript())
	}
	owner.Send("01.11.2026 - 21.11.2026")
	if got := owner.Last().Text; !strings.Contains(got, "01.11.2026 – 21.11.2026") {
		t.Fatalf("the dates after the refusal:\n%s", owner.Transcript())
	}
}

// TestStatsDatesRevokedMidStep: Mila, a manager, taps Dates… and is
// revoked before she types them: her dates are answered that her access
// was revoked, as every other staff step answers, not
// dropped without a word.
func TestStatsDatesRevokedMidStep(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 902, "Mila")
	manager.Send("/stats").Tap("📅 Dates…")
	owner.Send("/staff").Tap("👥 Staff list").Tap("Revoke Mila").Tap("Yes, revoke")
	manager.Sync()
	before := len(manager.U.Messages())
	manager.Send("01.11.2026 - 21.11.2026")
	if got := manager.U.Messages(); len(got) == before || got[len(got)-1].Text != "Your staff access has been revoked." {
		t.Fatalf("a revoked manager's dates were dropped without a word:\n%s", manager.Transcript())
	}
}
