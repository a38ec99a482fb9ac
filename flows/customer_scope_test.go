package flows_test

import (
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestReview7StoreManagerCustomerCardOtherStore: Bob joined at River and
// never bought at Central. Central's manager, whose export leaves Bob
// out (only customers who joined or bought at Central) and holds no
// phone numbers, reads Bob's whole card with his phone by typing a
// number into /customer.
// TestStoreManagerCustomerCardOtherStore: Central's manager, whose export
// holds Central's customers only, cannot read River's member by /customer
// either: the answer is the one to a customer there is not.
func TestStoreManagerCustomerCardOtherStore(t *testing.T) {
	t.Parallel()
	h := bottest.New(t, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	manager := hire(t, h, owner, "manager", 932, "Mila")
	joinVia(t, h, 134, "Bob", "s_river")
	_, card := customer(t, h, 134)

	manager.Send("/export").Tap("👥 Customers")
	if rows := lastCSV(t, manager, "customers-2026-11-22.csv"); len(rows) != 1 {
		t.Fatalf("Central's export holds River's member: %q", rows)
	}
	manager.Send("/customer " + card.Number)
	if got := manager.Last().Text; strings.Contains(got, "+79990000134") {
		t.Fatalf("Central's manager reads River's member, phone and all:\n%s", got)
	}
	// The owner reads him.
	owner.Send("/customer " + card.Number)
	if got := owner.Last().Text; !strings.Contains(got, "+79990000134") {
		t.Fatalf("the owner's /customer:\n%s", got)
	}
}
