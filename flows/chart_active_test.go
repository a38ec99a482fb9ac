package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestChartActiveAgreesWithStatsForAStore: Bob joins at River and buys at
// Central. For Central's manager /stats counts Anna alone, a member and
// active; the members chart of the same moment must say the same, not
// count Bob as active among Central's members.
func TestChartActiveAgreesWithStatsForAStore(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 941, "Boris")
	manager := hire(t, h, owner, "manager", 942, "Mila")
	anna := joinVia(t, h, 141, "Anna", "s_central")
	bob := joinVia(t, h, 142, "Bob", "s_river")
	buy(t, anna, cashier)
	buy(t, bob, cashier)

	manager.Send("/stats")
	if got := manager.Last().Text; !strings.Contains(got, "Members: 1 ") || !strings.Contains(got, "Now: active 1 ") {
		t.Fatalf("Central's /stats:\n%s", got)
	}
	manager.Send("/chart members")
	if got := lastPNG(t, manager); !strings.Contains(got, "members 1 (new 1), active 1 ") {
		t.Fatalf("Central's chart counts more active customers than /stats (and than members): %q", got)
	}
}

// TestChartActiveLeavesOutErased: Bob buys, then erases his data. /stats
// counts one member, active; the chart must not count Bob as active.
func TestChartActiveLeavesOutErased(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	cashier := hire(t, h, owner, "cashier", 943, "Boris")
	anna := join(t, h, 143, "Anna")
	bob := join(t, h, 144, "Bob")
	buy(t, anna, cashier)
	buy(t, bob, cashier)
	bob.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")

	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "Members: 1 ") || !strings.Contains(got, "Now: active 1 ") {
		t.Fatalf("/stats:\n%s", got)
	}
	owner.Send("/chart members")
	if got := lastPNG(t, owner); !strings.Contains(got, "members 1 (new 1), active 1 ") {
		t.Fatalf("the chart counts an erased buyer as active, /stats does not: %q", got)
	}
}
