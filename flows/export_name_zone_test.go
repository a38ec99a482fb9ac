package flows_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/domain"
)

// TestExportFileDatedByTheReadersStore: River is in Vladivostok, seven
// hours ahead of the chain's first store in Moscow. At 05:00 on 23.11 in
// Vladivostok (22:00 on 22.11 in Moscow) River's manager gets
// purchases-2026-11-23.csv, the day on her own clock, not Moscow's
// yesterday; the owner, who reads the business at the first store's
// clock, gets the file of 22.11.
func TestExportFileDatedByTheReadersStore(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner, func(b *domain.Business) { b.Stores[1].TimeZone = "Asia/Vladivostok" })
	owner := h.Chat(ownerID, "Olga", "en")
	vera := hireAt(t, h, owner, "manager", "River", 983, "Vera")
	vvo, _ := time.LoadLocation("Asia/Vladivostok")
	h.Clock.Advance(time.Date(2026, 11, 23, 5, 0, 0, 0, vvo).Sub(h.Clock.Now()))

	vera.Send("/export").Tap("🧾 Purchases")
	h.Settle()
	lastCSV(t, vera, "purchases-2026-11-23.csv")

	owner.Send("/export").Tap("🧾 Purchases")
	h.Settle()
	lastCSV(t, owner, "purchases-2026-11-22.csv")
}
