package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestABroadcastDateWithATwoDigitYearIsNextYears: an owner in Russia
// writes the year short, "10.01.27 12:00", on 22.11.2026; that is January
// 2027, not 1927, and must not be refused as "already passed".
func TestABroadcastDateWithATwoDigitYearIsNextYears(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner) // the clock: 22.11.2026 15:00 in Moscow
	owner := h.Chat(ownerID, "Olga", "en")
	joinConsenting(t, h, 5331, "Anna")
	owner.Send("/broadcast").Send("New year tasting").Tap("👥 Everyone who agreed to offers").Tap("⏰ Schedule").
		Send("10.01.27 12:00")
	if want := "1 customer would get it now; on 10.01.2027 12:00 (Europe/Moscow) it goes to whoever is subscribed and agrees to offers at that time. Schedule it?"; !strings.Contains(owner.Last().Text, want) {
		t.Fatalf("10.01.27 12:00: %q, want %q", owner.Last().Text, want)
	}
}
