package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestReview7ChartMembersAgreeWithStats: two customers join, one erases
// their data. /stats says 1 member ("erased ones not counted"); the
// members chart of the same moment must say the same.
// TestChartMembersAgreeWithStats: a customer who erased their data is no
// member on the chart (and in the weekly report), as in /stats.
func TestChartMembersAgreeWithStats(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	join(t, h, 101, "Anna")
	bob := join(t, h, 102, "Bob")
	bob.Send("/privacy").Tap("🗑 Delete my data").Tap("Yes, delete my data")

	owner.Send("/stats")
	if got := owner.Last().Text; !strings.Contains(got, "Members: 1 (new in the period: 1)") {
		t.Fatalf("/stats:\n%s", got)
	}
	owner.Send("/chart members")
	if got := lastPNG(t, owner); !strings.Contains(got, "members 1 (new 1)") {
		t.Fatalf("the chart counts an erased customer as a member, /stats does not: %q", got)
	}
}
